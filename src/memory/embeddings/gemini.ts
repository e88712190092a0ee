import { z } from "zod";
import { type EmbeddingProvider, embedInBatches, postJson, VectorSchema } from "./provider.js";

const GeminiBatchResponse = z.object({ embeddings: z.array(z.object({ values: VectorSchema })) });

export interface GeminiEmbeddingOptions {
  id: string;
  baseUrl: string;
  model: string;
  apiKey: string;
  headers?: Record<string, string>;
  dimensions?: number;
}

/** Gemini `models/<model>:batchEmbedContents`, with the retrieval task types for questions and passages. */
export function geminiEmbeddings(opts: GeminiEmbeddingOptions): EmbeddingProvider {
  const model = opts.model.startsWith("models/") ? opts.model : `models/${opts.model}`;
  const url = `${opts.baseUrl.replace(/\/+$/, "")}/${model}:batchEmbedContents`;
  const headers = { "x-goog-api-key": opts.apiKey, ...opts.headers };
  const what = `${opts.id} embeddings`;
  return {
    id: opts.id,
    model: opts.model,
    key: `${opts.id}|${opts.baseUrl}|${opts.model}|${opts.dimensions ?? ""}`,
    embed: (texts, kind, signal) =>
      embedInBatches(
        texts,
        async (slice) => {
          const body = {
            requests: slice.map((text) => ({
              model,
              content: { parts: [{ text }] },
              taskType: kind === "query" ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT",
              ...(opts.dimensions ? { outputDimensionality: opts.dimensions } : {}),
            })),
          };
          const res = await postJson(what, url, body, headers, GeminiBatchResponse, signal);
          return res.embeddings.map((e) => e.values);
        },
        what,
      ),
  };
}
