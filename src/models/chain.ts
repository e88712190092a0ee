import type { PincerConfig } from "../config/schema.js";
import {
  hasCredentials,
  IMPLICIT_PROVIDER_ORDER,
  type ModelRef,
  parseModelRef,
  type ResolvedProvider,
} from "./catalog.js";

/**
 * Which models a turn tries, in order: the primary, then its fallbacks. Pure: config in, refs out.
 */

export const NO_MODEL_CONFIGURED_MESSAGE =
  "No model configured. Set ANTHROPIC_API_KEY (or OPENAI_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY), run Ollama on 127.0.0.1:11434, or set agents.defaults.model and models.providers in ~/.pincer/pincer.json";

type ModelSetting = PincerConfig["agents"]["defaults"]["model"];

function primaryOf(setting: ModelSetting): string | undefined {
  return typeof setting === "string" ? setting : setting?.primary;
}

function fallbacksOf(setting: ModelSetting): string[] {
  return typeof setting === "object" ? setting.fallbacks : [];
}

/**
 * With no model configured anywhere: the default model of every provider that has credentials, configured
 * providers first (the user took the trouble), then the built-ins in a fixed order. Ollama is not here:
 * whether it runs is only known by asking it (see failover.ts).
 */
export function implicitChain(config: PincerConfig, providers: ReadonlyMap<string, ResolvedProvider>): ModelRef[] {
  const ids = new Set([...Object.keys(config.models.providers), ...IMPLICIT_PROVIDER_ORDER]);
  const refs: ModelRef[] = [];
  for (const id of ids) {
    const provider = providers.get(id);
    if (!provider?.defaultModel || !hasCredentials(provider)) continue;
    refs.push({ provider: id, model: provider.defaultModel });
  }
  return refs;
}

function dedupe(refs: ModelRef[]): ModelRef[] {
  const seen = new Set<string>();
  return refs.filter((ref) => {
    const key = `${ref.provider}/${ref.model}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The chain for one turn. An override (a session's `/model`) replaces the primary; an agent's own model
 * replaces the defaults' primary, and its fallbacks replace the defaults' when it lists an object.
 */
export function resolveModelChain(
  config: PincerConfig,
  providers: ReadonlyMap<string, ResolvedProvider>,
  agentId?: string,
  override?: string,
): ModelRef[] {
  const defaults = config.agents.defaults.model;
  const agent = agentId === undefined ? undefined : config.agents.list.find((a) => a.id === agentId)?.model;
  const primary = override ?? primaryOf(agent) ?? primaryOf(defaults);
  const fallbacks = typeof agent === "object" ? fallbacksOf(agent) : fallbacksOf(defaults);
  if (primary === undefined) {
    const implicit = implicitChain(config, providers);
    const extra = fallbacks.flatMap((text) => parseModelRef(text, providers) ?? []);
    return dedupe([...implicit, ...extra]);
  }
  const refs = [primary, ...fallbacks].flatMap((text) => parseModelRef(text, providers) ?? []);
  return dedupe(refs);
}
