import { z } from "zod";
import { type EmbeddingProvider, embedInBatches, postJson, VectorSchema } from "./provider.js";

const OpenAiEmbeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: VectorSchema })),
});

export interface OpenAiEmbeddingOptions {
  id: string;
  baseUrl: string;
  model: string;
  apiKey?: string;
  headers?: Record<string, string>;
  dimensions?: number;
}

/** OpenAI `/embeddings`, and every server that speaks it (openai-compatible: vLLM, LM Studio, LiteLLM, …). */
export function openAiEmbeddings(opts: OpenAiEmbeddingOptions): EmbeddingProvider {
  const url = `${opts.baseUrl.replace(/\/+$/, "")}/embeddings`;
  const headers = { ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}), ...opts.headers };
  const what = `${opts.id} embeddings`;
  return {
    id: opts.id,
    model: opts.model,
    key: `${opts.id}|${opts.baseUrl}|${opts.model}|${opts.dimensions ?? ""}`,
    embed: (texts, _kind, signal) =>
      embedInBatches(
        texts,
        async (input) => {
          const body = { model: opts.model, input, ...(opts.dimensions ? { dimensions: opts.dimensions } : {}) };
          const res = await postJson(what, url, body, headers, OpenAiEmbeddingsResponse, signal);
          // The API may answer out of order; `index` says which input each vector belongs to.
          return [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
        },
        what,
      ),
  };
}
