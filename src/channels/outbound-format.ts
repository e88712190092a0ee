import { type ChunkMode, chunkLines, chunkMarkdown, MIN_CHUNK_LIMIT } from "./chunking.js";
import { renderMarkdown } from "./markdown/render.js";
import type { ChannelOutboundAdapter } from "./plugin.js";

/**
 * Turns a model's markdown reply into the messages a platform receives: chunked on the markdown (so fences are
 * closed and reopened per chunk), then rendered. Escaping can make a rendered chunk longer than its source; one
 * that ends up over the platform's hard limit is chunked again, smaller. Plain-text platforms (IRC) get one
 * message per line instead.
 */
export function formatReply(
  markdown: string,
  outbound: ChannelOutboundAdapter,
  opts: { chunkLimit?: number | undefined; chunkMode?: ChunkMode | undefined } = {},
): string[] {
  const limit = Math.max(MIN_CHUNK_LIMIT, Math.min(opts.chunkLimit ?? outbound.textChunkLimit, outbound.hardLimit));
  if (outbound.markdown === "plain") return chunkLines(renderMarkdown(markdown, "plain"), limit);
  const out: string[] = [];
  const renderWithin = (source: string, size: number): void => {
    const rendered = renderMarkdown(source, outbound.markdown);
    if (rendered.length <= outbound.hardLimit || size <= MIN_CHUNK_LIMIT) {
      if (rendered.trim()) out.push(rendered);
      return;
    }
    const smaller = Math.max(MIN_CHUNK_LIMIT, Math.floor(size * 0.6));
    for (const piece of chunkMarkdown(source, smaller)) renderWithin(piece, smaller);
  };
  for (const chunk of chunkMarkdown(markdown, limit, opts.chunkMode ?? "length")) renderWithin(chunk, limit);
  return out;
}
