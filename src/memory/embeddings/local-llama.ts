import { existsSync } from "node:fs";
import { PincerError } from "../../errors.js";
import type { EmbeddingProvider } from "./provider.js";

/**
 * Embeddings from a local GGUF model through node-llama-cpp. The package is optional (hundreds of MB with its
 * prebuilt binaries) and not a dependency of Pincer: it is imported only when `provider: "local"` is
 * configured, and its absence is reported with the command that installs it.
 */

interface LlamaEmbedding {
  vector: readonly number[];
}
interface LlamaEmbeddingContext {
  getEmbeddingFor(text: string): Promise<LlamaEmbedding>;
  dispose(): Promise<void>;
}
interface LlamaModel {
  createEmbeddingContext(opts?: Record<string, unknown>): Promise<LlamaEmbeddingContext>;
  dispose(): Promise<void>;
}
interface Llama {
  loadModel(opts: { modelPath: string }): Promise<LlamaModel>;
}
interface NodeLlamaCpp {
  getLlama(opts?: Record<string, unknown>): Promise<Llama>;
}

/** The module name in a variable: TypeScript must not try to resolve a package that is usually absent. */
const PACKAGE = "node-llama-cpp";

async function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  let mod: unknown;
  try {
    mod = await import(PACKAGE);
  } catch (err) {
    throw new PincerError(
      "UNAVAILABLE",
      `memorySearch.provider "local" needs the optional package node-llama-cpp, which is not installed (${(err as Error).message.split("\n")[0]}). Install it next to Pincer with: npm install node-llama-cpp`,
    );
  }
  const getLlama = (mod as { getLlama?: unknown }).getLlama;
  if (typeof getLlama !== "function")
    throw new PincerError("UNAVAILABLE", "node-llama-cpp loaded but has no getLlama(): install node-llama-cpp 3.x");
  return mod as NodeLlamaCpp;
}

export function localLlamaEmbeddings(opts: { modelPath: string; model?: string }): EmbeddingProvider {
  let context: Promise<{ model: LlamaModel; ctx: LlamaEmbeddingContext }> | undefined;
  const open = () => {
    context ??= (async () => {
      const lib = await loadNodeLlamaCpp();
      if (!existsSync(opts.modelPath))
        throw new PincerError(
          "NOT_FOUND",
          `memorySearch.local.modelPath ${opts.modelPath} does not exist: point it at a GGUF embedding model`,
        );
      const llama = await lib.getLlama();
      const model = await llama.loadModel({ modelPath: opts.modelPath });
      return { model, ctx: await model.createEmbeddingContext() };
    })();
    // A failed load is retried on the next call rather than cached forever.
    context.catch(() => {
      context = undefined;
    });
    return context;
  };
  return {
    id: "local",
    model: opts.model ?? opts.modelPath,
    key: `local|${opts.modelPath}`,
    async embed(texts) {
      const { ctx } = await open();
      const out: number[][] = [];
      // One context computes one embedding at a time; the model itself is the parallelism.
      for (const text of texts) out.push([...(await ctx.getEmbeddingFor(text)).vector]);
      return out;
    },
    async close() {
      const opened = await context?.catch(() => undefined);
      context = undefined;
      await opened?.ctx.dispose();
      await opened?.model.dispose();
    },
  };
}
