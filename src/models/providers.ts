import type { LanguageModel } from "ai";
import { PincerError } from "../errors.js";
import { OLLAMA_DEFAULT_BASE_URL, type ProviderApi, type ResolvedProvider } from "./catalog.js";

/**
 * One AI SDK LanguageModel for (provider, model, key). Provider packages are imported on first use so the
 * gateway starts without loading any of them.
 *
 * Base URLs follow OpenClaw's conventions so its configs carry over: an Anthropic base URL is the host
 * without `/v1` (the Anthropic SDK's convention), an Ollama base URL is the server root; OpenAI and Google
 * URLs include their version path.
 */

/** Which npm package speaks each API, for messages and docs. */
export const API_PACKAGES: Readonly<Record<ProviderApi, string>> = {
  "anthropic-messages": "@ai-sdk/anthropic",
  "openai-responses": "@ai-sdk/openai",
  "openai-completions": "@ai-sdk/openai (OpenAI) or @ai-sdk/openai-compatible (any other server)",
  "google-generative-ai": "@ai-sdk/google",
  ollama: "ollama-ai-provider-v2",
};

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** `https://api.anthropic.com` → `https://api.anthropic.com/v1`, the AI SDK appends `/messages` itself. */
export function anthropicBaseUrl(baseUrl: string | undefined): string | undefined {
  if (baseUrl === undefined) return undefined;
  const trimmed = withoutTrailingSlash(baseUrl);
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

/** `http://127.0.0.1:11434` → `http://127.0.0.1:11434/api`, where Ollama's native endpoints live. */
export function ollamaBaseUrl(baseUrl: string | undefined): string {
  const trimmed = withoutTrailingSlash(baseUrl ?? OLLAMA_DEFAULT_BASE_URL);
  return trimmed.endsWith("/api") ? trimmed : `${trimmed}/api`;
}

export interface ModelTarget {
  provider: ResolvedProvider;
  model: string;
  apiKey?: string;
}

function settings(target: ModelTarget): { apiKey?: string; baseURL?: string; headers: Record<string, string> } {
  const out: { apiKey?: string; baseURL?: string; headers: Record<string, string> } = {
    headers: target.provider.headers,
  };
  if (target.apiKey !== undefined) out.apiKey = target.apiKey;
  if (target.provider.baseUrl !== undefined) out.baseURL = withoutTrailingSlash(target.provider.baseUrl);
  return out;
}

/** Models built so far, by everything that shapes them; building one per turn costs ~10 ms of CPU and garbage. */
const modelCache = new Map<string, Promise<LanguageModel>>();
/** Enough for every provider × model × key a gateway realistically rotates through. */
const MODEL_CACHE_MAX = 128;

/** The AI SDK model for a target, built once and reused: the SDK objects are stateless between calls. */
export function createLanguageModel(target: ModelTarget): Promise<LanguageModel> {
  const { provider } = target;
  const key = JSON.stringify([
    provider.id,
    provider.api,
    provider.baseUrl,
    provider.headers,
    target.model,
    target.apiKey,
  ]);
  let cached = modelCache.get(key);
  if (!cached) {
    if (modelCache.size >= MODEL_CACHE_MAX) modelCache.delete(modelCache.keys().next().value as string);
    cached = buildLanguageModel(target);
    // A failed build (bad config) is not cached: the next call reports the current problem.
    cached.catch(() => modelCache.delete(key));
    modelCache.set(key, cached);
  }
  return cached;
}

async function buildLanguageModel(target: ModelTarget): Promise<LanguageModel> {
  const { provider, model } = target;
  switch (provider.api) {
    case "anthropic-messages": {
      const { createAnthropic } = await import("@ai-sdk/anthropic");
      const base = settings(target);
      const baseURL = anthropicBaseUrl(provider.baseUrl);
      return createAnthropic(baseURL === undefined ? base : { ...base, baseURL })(model);
    }
    case "openai-responses": {
      const { createOpenAI } = await import("@ai-sdk/openai");
      return createOpenAI(settings(target)).responses(model);
    }
    case "openai-completions": {
      if (provider.id === "openai") {
        const { createOpenAI } = await import("@ai-sdk/openai");
        return createOpenAI(settings(target)).chat(model);
      }
      if (provider.baseUrl === undefined) {
        throw new PincerError(
          "MODEL_NOT_CONFIGURED",
          `models.providers.${provider.id}.baseUrl is missing: an "openai-completions" provider needs the server's URL (e.g. "http://127.0.0.1:8000/v1").`,
        );
      }
      const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
      // includeUsage asks the server for token counts in the stream; without it cost would read as zero.
      return createOpenAICompatible({
        ...settings(target),
        name: provider.id,
        baseURL: withoutTrailingSlash(provider.baseUrl),
        includeUsage: true,
      }).chatModel(model);
    }
    case "google-generative-ai": {
      const { createGoogleGenerativeAI } = await import("@ai-sdk/google");
      return createGoogleGenerativeAI(settings(target))(model);
    }
    case "ollama": {
      const { createOllama } = await import("ollama-ai-provider-v2");
      return createOllama({ baseURL: ollamaBaseUrl(provider.baseUrl), headers: provider.headers })(model);
    }
  }
}
