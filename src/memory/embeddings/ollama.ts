import { z } from "zod";
import { type EmbeddingProvider, embedInBatches, postJson, VectorSchema } from "./provider.js";

const OllamaEmbedResponse = z.object({ embeddings: z.array(VectorSchema) });

export interface OllamaEmbeddingOptions {
  id: string;
  baseUrl: string;
  model: string;
  headers?: Record<string, string>;
  dimensions?: number;
}

/** Ollama's native `/api/embed` (batch input), for models pulled locally such as nomic-embed-text. */
export function ollamaEmbeddings(opts: OllamaEmbeddingOptions): EmbeddingProvider {
  // A base URL copied from an OpenAI-style provider entry ends in /v1 (or /api); the native API sits at the root.
  const root = opts.baseUrl.replace(/\/+$/, "").replace(/\/(v1|api)$/, "");
  const url = `${root}/api/embed`;
  const what = `${opts.id} embeddings`;
  return {
    id: opts.id,
    model: opts.model,
    key: `${opts.id}|${root}|${opts.model}|${opts.dimensions ?? ""}`,
    embed: (texts, _kind, signal) =>
      embedInBatches(
        texts,
        async (input) => {
          const body = { model: opts.model, input, ...(opts.dimensions ? { dimensions: opts.dimensions } : {}) };
          return (await postJson(what, url, body, opts.headers ?? {}, OllamaEmbedResponse, signal)).embeddings;
        },
        what,
      ),
  };
}
