import { describe, expect, it } from "vitest";
import { formatReply } from "./outbound-format.js";
import type { ChannelOutboundAdapter } from "./plugin.js";

const telegram: ChannelOutboundAdapter = { textChunkLimit: 4000, hardLimit: 4096, markdown: "telegram-html" };
const irc: ChannelOutboundAdapter = { textChunkLimit: 350, hardLimit: 350, markdown: "plain" };
const slack: ChannelOutboundAdapter = { textChunkLimit: 8000, hardLimit: 12000, markdown: "slack-mrkdwn" };

describe("formatReply", () => {
  it("re-chunks a chunk whose escaping pushes it over the hard limit", () => {
    const text = "<&> ".repeat(2250); // 9000 chars; < & > escape to 4-5 each
    const parts = formatReply(text, telegram);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    const unescapeHtml = (p: string) => p.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    expect(parts.map(unescapeHtml).join(" ").replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
  });

  it("honours a smaller account chunk limit but never exceeds the platform's", () => {
    const text = "word ".repeat(2000);
    expect(Math.max(...formatReply(text, telegram, { chunkLimit: 500 }).map((p) => p.length))).toBeLessThanOrEqual(500);
    expect(Math.max(...formatReply(text, telegram, { chunkLimit: 99_999 }).map((p) => p.length))).toBeLessThanOrEqual(
      4096,
    );
  });

  it("renders every chunk on its own, code fences included", () => {
    const code = Array.from({ length: 300 }, (_, i) => `x${i} = ${i}`).join("\n");
    const parts = formatReply(`Here:\n\n\`\`\`py\n${code}\n\`\`\``, telegram, { chunkLimit: 1000 });
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts.slice(1)) expect(p).toMatch(/^<pre><code class="language-py">[\s\S]*<\/code><\/pre>$/);
  });

  it("sends IRC one plain line per message, 350 at most", () => {
    const parts = formatReply(`**Hello**\n\n${"long ".repeat(200)}\n- item`, irc);
    expect(parts[0]).toBe("Hello");
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(350);
    expect(parts.at(-1)).toBe("• item");
  });

  it("uses Slack mrkdwn", () => {
    expect(formatReply("**hi** [x](https://x.io)", slack)).toEqual(["*hi* <https://x.io|x>"]);
  });

  it("yields nothing for an empty reply", () => {
    expect(formatReply("  \n", telegram)).toEqual([]);
  });
});
