import { z } from "zod";
import type { PincerConfig } from "../config/schema.js";
import { normalizeAgentId } from "../sessions/keys.js";

/**
 * `agents.defaults.memorySearch` and its per-agent override `agents.list[].memorySearch` (OpenClaw's keys).
 * Every key is optional in the file; an agent's value wins over the defaults' key by key, and what neither
 * sets takes the defaults below (OpenClaw's, so an imported config ranks the same way).
 */

const Weights = z.number().min(0).max(1);

export const MemorySearchConfigSchema = z.looseObject({
  enabled: z.boolean().optional(),
  /**
   * Embedding provider: "openai", "gemini", "ollama", "openai-compatible", "local" (a GGUF file through
   * node-llama-cpp), a `models.providers` id whose api is one of those, or "none". Unset: lexical search only.
   */
  provider: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  outputDimensionality: z.number().int().min(1).max(8192).optional(),
  remote: z
    .looseObject({
      baseUrl: z.string().min(1).optional(),
      apiKey: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  local: z.looseObject({ modelPath: z.string().min(1).optional(), modelCacheDir: z.string().optional() }).optional(),
  /** "memory" (MEMORY.md and memory/*.md) and optionally "sessions" (this agent's transcripts). */
  sources: z.array(z.enum(["memory", "sessions"])).optional(),
  extraPaths: z.array(z.string().min(1)).optional(),
  experimental: z.looseObject({ sessionMemory: z.boolean().optional() }).optional(),
  query: z
    .looseObject({
      maxResults: z.number().int().min(1).max(100).optional(),
      minScore: Weights.optional(),
      hybrid: z
        .looseObject({
          enabled: z.boolean().optional(),
          vectorWeight: Weights.optional(),
          textWeight: Weights.optional(),
          candidateMultiplier: z.number().int().min(1).max(20).optional(),
          mmr: z.looseObject({ enabled: z.boolean().optional(), lambda: Weights.optional() }).optional(),
          temporalDecay: z
            .looseObject({ enabled: z.boolean().optional(), halfLifeDays: z.number().min(0.1).optional() })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  chunking: z
    .looseObject({
      tokens: z.number().int().min(32).max(8192).optional(),
      overlap: z.number().int().min(0).max(4096).optional(),
    })
    .optional(),
  sync: z
    .looseObject({ watch: z.boolean().optional(), watchDebounceMs: z.number().int().min(0).max(60_000).optional() })
    .optional(),
  cache: z.looseObject({ enabled: z.boolean().optional(), maxEntries: z.number().int().min(0).optional() }).optional(),
  store: z
    .looseObject({
      fts: z.looseObject({ tokenizer: z.enum(["unicode61", "trigram"]).optional() }).optional(),
      vector: z.looseObject({ enabled: z.boolean().optional(), extensionPath: z.string().optional() }).optional(),
    })
    .optional(),
});
export type MemorySearchConfig = z.infer<typeof MemorySearchConfigSchema>;

/** Chunk size and overlap in tokens (≈ 4 characters each): big enough to carry a thought, small enough to rank. */
export const DEFAULT_CHUNK_TOKENS = 400;
export const DEFAULT_CHUNK_OVERLAP_TOKENS = 80;
/** Editors save in bursts (temp file, rename, touch); one re-index per burst. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 1_500;

export interface ResolvedMemorySearch {
  enabled: boolean;
  provider: string;
  model?: string;
  outputDimensionality?: number;
  remote: { baseUrl?: string; apiKey?: string; headers?: Record<string, string> };
  local: { modelPath?: string; modelCacheDir?: string };
  sources: ("memory" | "sessions")[];
  extraPaths: string[];
  query: {
    maxResults: number;
    minScore: number;
    hybrid: {
      enabled: boolean;
      vectorWeight: number;
      textWeight: number;
      candidateMultiplier: number;
      mmr: { enabled: boolean; lambda: number };
      temporalDecay: { enabled: boolean; halfLifeDays: number };
    };
  };
  chunking: { tokens: number; overlap: number };
  sync: { watch: boolean; watchDebounceMs: number };
  cache: { enabled: boolean; maxEntries: number };
  store: { tokenizer: "unicode61" | "trigram"; vector: { enabled: boolean; extensionPath?: string } };
}

function agentOverride(config: PincerConfig, agentId: string): MemorySearchConfig | undefined {
  const entry = config.agents.list.find((a) => normalizeAgentId(a.id) === agentId);
  return entry?.memorySearch;
}

/** The effective memory search settings of one agent. */
export function resolveMemorySearch(config: PincerConfig, agentId: string): ResolvedMemorySearch {
  const d: MemorySearchConfig = config.agents.defaults.memorySearch ?? {};
  const o: MemorySearchConfig = agentOverride(config, agentId) ?? {};
  const hd = d.query?.hybrid;
  const ho = o.query?.hybrid;
  const chunkTokens = o.chunking?.tokens ?? d.chunking?.tokens ?? DEFAULT_CHUNK_TOKENS;
  const provider = (o.provider ?? d.provider ?? "none").trim();
  const sessions = o.experimental?.sessionMemory ?? d.experimental?.sessionMemory ?? false;
  const sources = o.sources ?? d.sources ?? ["memory"];
  const model = o.model ?? d.model;
  const dims = o.outputDimensionality ?? d.outputDimensionality;
  const extensionPath = o.store?.vector?.extensionPath ?? d.store?.vector?.extensionPath;
  const modelPath = o.local?.modelPath ?? d.local?.modelPath;
  const modelCacheDir = o.local?.modelCacheDir ?? d.local?.modelCacheDir;
  return {
    enabled: o.enabled ?? d.enabled ?? true,
    provider: provider === "auto" ? "openai" : provider,
    ...(model ? { model } : {}),
    ...(dims ? { outputDimensionality: dims } : {}),
    remote: { ...d.remote, ...o.remote },
    local: { ...(modelPath ? { modelPath } : {}), ...(modelCacheDir ? { modelCacheDir } : {}) },
    // OpenClaw needs both the experimental flag and the source; either one here turns transcripts on.
    sources: sessions && !sources.includes("sessions") ? [...sources, "sessions"] : [...new Set(sources)],
    extraPaths: [...(d.extraPaths ?? []), ...(o.extraPaths ?? [])],
    query: {
      maxResults: o.query?.maxResults ?? d.query?.maxResults ?? 6,
      minScore: o.query?.minScore ?? d.query?.minScore ?? 0.35,
      hybrid: {
        enabled: ho?.enabled ?? hd?.enabled ?? true,
        vectorWeight: ho?.vectorWeight ?? hd?.vectorWeight ?? 0.7,
        textWeight: ho?.textWeight ?? hd?.textWeight ?? 0.3,
        candidateMultiplier: ho?.candidateMultiplier ?? hd?.candidateMultiplier ?? 4,
        mmr: {
          enabled: ho?.mmr?.enabled ?? hd?.mmr?.enabled ?? true,
          lambda: ho?.mmr?.lambda ?? hd?.mmr?.lambda ?? 0.7,
        },
        temporalDecay: {
          enabled: ho?.temporalDecay?.enabled ?? hd?.temporalDecay?.enabled ?? true,
          halfLifeDays: ho?.temporalDecay?.halfLifeDays ?? hd?.temporalDecay?.halfLifeDays ?? 30,
        },
      },
    },
    chunking: {
      tokens: chunkTokens,
      // An overlap as large as the chunk would never advance.
      overlap: Math.min(
        o.chunking?.overlap ?? d.chunking?.overlap ?? DEFAULT_CHUNK_OVERLAP_TOKENS,
        Math.floor(chunkTokens / 2),
      ),
    },
    sync: {
      watch: o.sync?.watch ?? d.sync?.watch ?? true,
      watchDebounceMs: o.sync?.watchDebounceMs ?? d.sync?.watchDebounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS,
    },
    cache: {
      enabled: o.cache?.enabled ?? d.cache?.enabled ?? true,
      maxEntries: o.cache?.maxEntries ?? d.cache?.maxEntries ?? 50_000,
    },
    store: {
      tokenizer: o.store?.fts?.tokenizer ?? d.store?.fts?.tokenizer ?? "unicode61",
      vector: {
        enabled: o.store?.vector?.enabled ?? d.store?.vector?.enabled ?? true,
        ...(extensionPath ? { extensionPath } : {}),
      },
    },
  };
}
