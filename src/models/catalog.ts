import type { PincerConfig } from "../config/schema.js";
import { curatedPricing, type ExternalPriceLookup } from "./prices.js";
import { type ModelPricing, ZERO_RATES } from "./usage.js";

/**
 * The model catalog: which providers exist (built-in ones plus `models.providers` from pincer.json), how
 * to reach them, which keys they have, and what is known about each model (context window, output limit,
 * reasoning, price). Pure: config and environment in, plain data out.
 */

export type ProviderApi = NonNullable<PincerConfig["models"]["providers"][string]["api"]>;

export interface ModelRef {
  provider: string;
  model: string;
}

export interface CatalogModel {
  id: string;
  name: string;
  provider: string;
  contextWindow: number;
  maxTokens?: number;
  reasoning: boolean;
  input: string[];
  /** Price from pincer.json; when absent the price tables are asked (see `pricingFor`). */
  cost?: ModelPricing;
}

export interface ResolvedProvider {
  id: string;
  api: ProviderApi;
  baseUrl?: string;
  headers: Record<string, string>;
  /** Auth profiles in rotation order; empty for keyless providers and for providers missing their key. */
  apiKeys: string[];
  /** Works without a key (local servers). */
  keyless: boolean;
  /** Environment variables that can hold the key, for messages that tell the user what to set. */
  envKeys: string[];
  defaultModel?: string;
  models: CatalogModel[];
}

interface BuiltinProvider {
  id: string;
  api: ProviderApi;
  baseUrl?: string;
  envKeys: string[];
  keyless: boolean;
  defaultModel?: string;
  models: Array<Omit<CatalogModel, "provider" | "input"> & { input?: string[] }>;
}

/** Context window assumed for a model nobody described: small enough to compact in time on most models. */
export const UNKNOWN_MODEL_CONTEXT_WINDOW = 128_000;
export const OLLAMA_DEFAULT_BASE_URL = "http://127.0.0.1:11434";

const TEXT_IMAGE = ["text", "image"];

export const BUILTIN_PROVIDERS: readonly BuiltinProvider[] = [
  {
    id: "anthropic",
    api: "anthropic-messages",
    envKeys: ["ANTHROPIC_API_KEY"],
    keyless: false,
    defaultModel: "claude-sonnet-4-6",
    models: [
      {
        id: "claude-sonnet-4-6",
        name: "Claude Sonnet 4.6",
        contextWindow: 1_000_000,
        maxTokens: 64_000,
        reasoning: true,
      },
      { id: "claude-opus-4-6", name: "Claude Opus 4.6", contextWindow: 1_000_000, maxTokens: 64_000, reasoning: true },
      {
        id: "claude-sonnet-4-5",
        name: "Claude Sonnet 4.5",
        contextWindow: 200_000,
        maxTokens: 64_000,
        reasoning: true,
      },
      { id: "claude-haiku-4-5", name: "Claude Haiku 4.5", contextWindow: 200_000, maxTokens: 64_000, reasoning: true },
    ],
  },
  {
    id: "openai",
    api: "openai-responses",
    envKeys: ["OPENAI_API_KEY"],
    keyless: false,
    defaultModel: "gpt-5.4",
    models: [
      { id: "gpt-5.4", name: "GPT-5.4", contextWindow: 1_050_000, maxTokens: 128_000, reasoning: true },
      { id: "gpt-5.4-mini", name: "GPT-5.4 mini", contextWindow: 400_000, maxTokens: 128_000, reasoning: true },
      { id: "gpt-4.1", name: "GPT-4.1", contextWindow: 1_047_576, maxTokens: 32_768, reasoning: false },
    ],
  },
  {
    id: "google",
    api: "google-generative-ai",
    envKeys: ["GEMINI_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY"],
    keyless: false,
    defaultModel: "gemini-2.5-flash",
    models: [
      {
        id: "gemini-2.5-flash",
        name: "Gemini 2.5 Flash",
        contextWindow: 1_048_576,
        maxTokens: 65_536,
        reasoning: true,
      },
      { id: "gemini-2.5-pro", name: "Gemini 2.5 Pro", contextWindow: 1_048_576, maxTokens: 65_536, reasoning: true },
      {
        id: "gemini-3-flash-preview",
        name: "Gemini 3 Flash Preview",
        contextWindow: 1_048_576,
        maxTokens: 65_536,
        reasoning: true,
      },
    ],
  },
  {
    id: "openrouter",
    api: "openai-completions",
    baseUrl: "https://openrouter.ai/api/v1",
    envKeys: ["OPENROUTER_API_KEY"],
    keyless: false,
    defaultModel: "anthropic/claude-sonnet-4.6",
    models: [
      {
        id: "anthropic/claude-sonnet-4.6",
        name: "Claude Sonnet 4.6 (OpenRouter)",
        contextWindow: 1_000_000,
        maxTokens: 64_000,
        reasoning: true,
      },
      {
        id: "google/gemini-2.5-flash",
        name: "Gemini 2.5 Flash (OpenRouter)",
        contextWindow: 1_048_576,
        maxTokens: 65_536,
        reasoning: true,
      },
    ],
  },
  {
    // Local models are discovered from the running server (ollama-probe.ts), so none are listed here.
    id: "ollama",
    api: "ollama",
    baseUrl: OLLAMA_DEFAULT_BASE_URL,
    envKeys: [],
    keyless: true,
    models: [],
  },
];

/** The order in which providers with a key are tried when no model is configured. */
export const IMPLICIT_PROVIDER_ORDER = ["anthropic", "openai", "google", "openrouter"] as const;

/**
 * "provider/model" → ref. The model part may itself contain "/" (OpenRouter ids). A bare model id is
 * looked up among the known providers' models; unknown bare ids are taken as Anthropic's, as OpenClaw does.
 */
export function parseModelRef(text: string, providers?: ReadonlyMap<string, ResolvedProvider>): ModelRef | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const slash = trimmed.indexOf("/");
  if (slash > 0 && slash < trimmed.length - 1) {
    const provider = trimmed.slice(0, slash);
    if (!providers || providers.has(provider)) return { provider, model: trimmed.slice(slash + 1) };
  }
  for (const provider of providers?.values() ?? []) {
    if (provider.models.some((m) => m.id === trimmed)) return { provider: provider.id, model: trimmed };
  }
  if (slash > 0 && slash < trimmed.length - 1)
    return { provider: trimmed.slice(0, slash), model: trimmed.slice(slash + 1) };
  return { provider: "anthropic", model: trimmed };
}

export function formatModelRef(ref: ModelRef): string {
  return `${ref.provider}/${ref.model}`;
}

function keysOf(apiKey: string | string[] | undefined): string[] {
  const list = apiKey === undefined ? [] : Array.isArray(apiKey) ? apiKey : [apiKey];
  return [...new Set(list.map((k) => k.trim()).filter((k) => k.length > 0))];
}

function envKeysOf(names: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return keysOf(names.flatMap((name) => (env[name] ? [env[name]] : [])));
}

function builtinModels(builtin: BuiltinProvider): CatalogModel[] {
  return builtin.models.map((m) => ({ ...m, provider: builtin.id, input: m.input ?? TEXT_IMAGE }));
}

type ConfiguredProvider = PincerConfig["models"]["providers"][string];

function configuredModel(
  providerId: string,
  m: ConfiguredProvider["models"][number],
  base?: CatalogModel,
): CatalogModel {
  const model: CatalogModel = {
    id: m.id,
    name: m.name ?? base?.name ?? m.id,
    provider: providerId,
    contextWindow: m.contextWindow ?? base?.contextWindow ?? UNKNOWN_MODEL_CONTEXT_WINDOW,
    reasoning: m.reasoning ?? base?.reasoning ?? false,
    input: m.input ?? base?.input ?? ["text"],
  };
  const maxTokens = m.maxTokens ?? base?.maxTokens;
  if (maxTokens !== undefined) model.maxTokens = maxTokens;
  const cost = m.cost ?? base?.cost;
  if (cost !== undefined) model.cost = cost;
  return model;
}

function mergeModels(
  providerId: string,
  builtin: CatalogModel[],
  configured: ConfiguredProvider["models"],
): CatalogModel[] {
  const merged = new Map(builtin.map((m) => [m.id, m]));
  for (const m of configured) merged.set(m.id, configuredModel(providerId, m, merged.get(m.id)));
  return [...merged.values()];
}

/**
 * Built-in providers and `models.providers`, combined per `models.mode`: "merge" keeps the built-ins and
 * lets a configured provider with the same id override fields and add or override models; "replace" keeps
 * only configured providers (a configured built-in id still inherits its API, URL and env keys).
 * A configured `apiKey` replaces the environment's key for that provider.
 */
export function resolveProviders(config: PincerConfig, env: NodeJS.ProcessEnv): Map<string, ResolvedProvider> {
  const providers = new Map<string, ResolvedProvider>();
  const configured = config.models.providers;
  const replace = config.models.mode === "replace";
  for (const builtin of BUILTIN_PROVIDERS) {
    const own = configured[builtin.id];
    if (replace && !own) continue;
    const resolved: ResolvedProvider = {
      id: builtin.id,
      api: own?.api ?? builtin.api,
      headers: { ...own?.headers },
      apiKeys: own?.apiKey !== undefined ? keysOf(own.apiKey) : envKeysOf(builtin.envKeys, env),
      keyless: builtin.keyless,
      envKeys: builtin.envKeys,
      models:
        replace && own
          ? own.models.map((m) => configuredModel(builtin.id, m))
          : mergeModels(builtin.id, builtinModels(builtin), own?.models ?? []),
    };
    const baseUrl = own?.baseUrl ?? builtin.baseUrl;
    if (baseUrl !== undefined) resolved.baseUrl = baseUrl;
    const defaultModel = builtin.defaultModel ?? resolved.models[0]?.id;
    if (defaultModel !== undefined) resolved.defaultModel = defaultModel;
    providers.set(builtin.id, resolved);
  }
  for (const [id, own] of Object.entries(configured)) {
    if (providers.has(id) || BUILTIN_PROVIDERS.some((b) => b.id === id)) continue;
    const resolved: ResolvedProvider = {
      id,
      // A custom provider is most often an OpenAI-compatible server (vLLM, LM Studio, a proxy).
      api: own.api ?? "openai-completions",
      headers: { ...own.headers },
      apiKeys: keysOf(own.apiKey),
      // A custom server without a key is taken as one that needs none (a local server).
      keyless: own.apiKey === undefined,
      envKeys: [],
      models: own.models.map((m) => configuredModel(id, m)),
    };
    if (own.baseUrl !== undefined) resolved.baseUrl = own.baseUrl;
    if (resolved.models[0]) resolved.defaultModel = resolved.models[0].id;
    providers.set(id, resolved);
  }
  return providers;
}

/** A provider that can be called without asking the network (ollama's reachability is checked elsewhere). */
export function hasCredentials(provider: ResolvedProvider): boolean {
  return provider.keyless || provider.apiKeys.length > 0;
}

/** The catalog entry for a ref; a model nobody described gets conservative defaults so it can still run. */
export function findModel(providers: ReadonlyMap<string, ResolvedProvider>, ref: ModelRef): CatalogModel {
  const known = providers.get(ref.provider)?.models.find((m) => m.id === ref.model);
  if (known) return known;
  return {
    id: ref.model,
    name: ref.model,
    provider: ref.provider,
    contextWindow: UNKNOWN_MODEL_CONTEXT_WINDOW,
    reasoning: false,
    input: ["text"],
  };
}

/** Config price, then the maintained table, then the curated one; a model nobody priced costs nothing. */
export function pricingFor(model: CatalogModel, external: ExternalPriceLookup | null): ModelPricing {
  if (model.cost) return model.cost;
  if (model.provider === "ollama") return ZERO_RATES;
  return external?.(model.provider, model.id)?.pricing ?? curatedPricing(model.provider, model.id) ?? ZERO_RATES;
}
