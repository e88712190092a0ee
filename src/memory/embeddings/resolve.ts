import type { PincerConfig } from "../../config/schema.js";
import { PincerError } from "../../errors.js";
import type { ResolvedMemorySearch } from "../config.js";
import { geminiEmbeddings } from "./gemini.js";
import { localLlamaEmbeddings } from "./local-llama.js";
import { ollamaEmbeddings } from "./ollama.js";
import { openAiEmbeddings } from "./openai.js";
import type { EmbeddingProvider } from "./provider.js";

const DEFAULTS = {
  openai: { baseUrl: "https://api.openai.com/v1", model: "text-embedding-3-small" },
  gemini: { baseUrl: "https://generativelanguage.googleapis.com/v1beta", model: "gemini-embedding-001" },
  ollama: { baseUrl: "http://127.0.0.1:11434", model: "nomic-embed-text" },
} as const;

type Kind = "openai" | "openai-compatible" | "gemini" | "ollama" | "local";

function firstKey(key: string | string[] | undefined): string | undefined {
  return Array.isArray(key) ? key[0] : key;
}

/**
 * The embedding provider memory search is configured to use, or undefined for lexical-only search
 * (`provider` unset or "none"). Throws UNAVAILABLE naming the missing piece (key, URL, model path) when the
 * configured provider cannot work; callers fall back to lexical search and show that message.
 */
export function resolveEmbeddingProvider(
  ms: ResolvedMemorySearch,
  config: PincerConfig,
  env: NodeJS.ProcessEnv,
): EmbeddingProvider | undefined {
  const id = ms.provider;
  if (id === "none" || id === "") return undefined;
  const custom = config.models.providers[id];
  const kind: Kind | undefined =
    id === "openai" || id === "openai-compatible" || id === "gemini" || id === "ollama" || id === "local"
      ? id
      : custom?.api === "ollama"
        ? "ollama"
        : custom?.api === "google-generative-ai"
          ? "gemini"
          : custom?.api === "openai-completions" || custom?.api === "openai-responses"
            ? "openai-compatible"
            : undefined;
  if (!kind)
    throw new PincerError(
      "CONFIG_INVALID",
      `memorySearch.provider "${id}" is not an embedding provider: use openai, gemini, ollama, openai-compatible, local, none, or a models.providers id whose api is openai-completions, ollama or google-generative-ai`,
    );
  const remote = ms.remote;
  const dims = ms.outputDimensionality;
  const dimsOpt = dims ? { dimensions: dims } : {};
  const headers = { ...custom?.headers, ...remote.headers };
  switch (kind) {
    case "openai":
    case "openai-compatible": {
      const providerEntry = custom ?? config.models.providers.openai;
      const baseUrl =
        remote.baseUrl ?? providerEntry?.baseUrl ?? (kind === "openai" ? DEFAULTS.openai.baseUrl : undefined);
      if (!baseUrl)
        throw new PincerError(
          "UNAVAILABLE",
          `memorySearch.provider "${id}" needs memorySearch.remote.baseUrl (the server's /v1 URL)`,
        );
      const apiKey =
        remote.apiKey ?? firstKey(providerEntry?.apiKey) ?? (kind === "openai" ? env.OPENAI_API_KEY : undefined);
      if (kind === "openai" && !apiKey)
        throw new PincerError(
          "UNAVAILABLE",
          "memory search uses OpenAI embeddings but no API key is set: set OPENAI_API_KEY, models.providers.openai.apiKey or memorySearch.remote.apiKey",
        );
      const model = ms.model ?? (kind === "openai" ? DEFAULTS.openai.model : undefined);
      if (!model) throw new PincerError("UNAVAILABLE", `memorySearch.provider "${id}" needs memorySearch.model`);
      return openAiEmbeddings({ id, baseUrl, model, ...(apiKey ? { apiKey } : {}), headers, ...dimsOpt });
    }
    case "gemini": {
      const providerEntry = custom ?? config.models.providers.google;
      const apiKey = remote.apiKey ?? firstKey(providerEntry?.apiKey) ?? env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY;
      if (!apiKey)
        throw new PincerError(
          "UNAVAILABLE",
          "memory search uses Gemini embeddings but no API key is set: set GEMINI_API_KEY, models.providers.google.apiKey or memorySearch.remote.apiKey",
        );
      const baseUrl = remote.baseUrl ?? providerEntry?.baseUrl ?? DEFAULTS.gemini.baseUrl;
      return geminiEmbeddings({ id, baseUrl, model: ms.model ?? DEFAULTS.gemini.model, apiKey, headers, ...dimsOpt });
    }
    case "ollama": {
      const providerEntry = custom ?? config.models.providers.ollama;
      const baseUrl = remote.baseUrl ?? providerEntry?.baseUrl ?? env.OLLAMA_HOST ?? DEFAULTS.ollama.baseUrl;
      const withScheme = /^https?:\/\//.test(baseUrl) ? baseUrl : `http://${baseUrl}`;
      return ollamaEmbeddings({
        id,
        baseUrl: withScheme,
        model: ms.model ?? DEFAULTS.ollama.model,
        headers,
        ...dimsOpt,
      });
    }
    case "local": {
      if (!ms.local.modelPath)
        throw new PincerError(
          "UNAVAILABLE",
          'memorySearch.provider "local" needs memorySearch.local.modelPath: the path of a GGUF embedding model',
        );
      return localLlamaEmbeddings({ modelPath: ms.local.modelPath, ...(ms.model ? { model: ms.model } : {}) });
    }
  }
}
