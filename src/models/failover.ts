import type { PincerConfig } from "../config/schema.js";
import type { AgentMessage, AssistantMessage } from "../sessions/messages.js";
import { AuthProfiles, redactKey } from "./auth-profiles.js";
import { findModel, formatModelRef, type ModelRef, type ResolvedProvider, resolveProviders } from "./catalog.js";
import { NO_MODEL_CONFIGURED_MESSAGE, resolveModelChain } from "./chain.js";
import type { ToolChoice, ToolSpec } from "./convert.js";
import { describeFailure, type ModelFailure, type ModelFailureKind } from "./failure.js";
import { listModelChoices, type ModelChoice } from "./model-choices.js";
import { OllamaProbe } from "./ollama-probe.js";
import { type ModelEvent, streamModel } from "./stream.js";
import { emptyUsage } from "./usage.js";

/**
 * Model failover: walks the chain (primary, then fallbacks) and, per model, the provider's keys (auth
 * profiles), until one call succeeds. Rules:
 * - 401/403 → the key is marked failed (long cooldown) and the next key is tried at once;
 * - 429/overloaded → the key cools down (retry-after, else 30 s doubling to 1 h) and the next key is tried;
 * - a model whose keys are all cooling or failed is skipped for the next model;
 * - 5xx, timeouts and dropped connections → one retry, then the next model;
 * - a user abort is never retried, a too-long prompt neither (the caller must compact);
 * - once anything reached the caller, a failure ends the turn: text already shown cannot be taken back.
 */

export interface RouterRequest {
  agentId?: string;
  modelOverride?: string;
  system: string;
  messages: readonly AgentMessage[];
  tools: readonly ToolSpec[];
  toolChoice?: ToolChoice;
  signal?: AbortSignal;
  maxTokens?: number;
  temperature?: number;
}

export type AttemptEvent = { type: "attempt"; provider: string; model: string; profile: number; reason?: string };
export type RouterEvent = ModelEvent | AttemptEvent;

export interface ProfileStatus {
  profile: number;
  /** Last 4 characters only. */
  key: string;
  available: boolean;
  cooldownUntil?: number;
  unavailableReason?: "auth-failed" | "cooldown";
  lastError?: { kind: ModelFailureKind; message: string; httpStatus?: number };
}

export interface ProviderStatus {
  provider: string;
  api: string;
  configured: boolean;
  profiles: ProfileStatus[];
}

export interface RouterOptions {
  config: PincerConfig;
  env: NodeJS.ProcessEnv;
  now?: () => number;
  log?: { warn(obj: object, msg?: string): void };
}

interface Attempt {
  ref: ModelRef;
  profile?: number;
  failure: ModelFailure;
}

/** Kinds that say nothing about the key: the server or the network failed, worth exactly one retry. */
const TRANSIENT_KINDS: ReadonlySet<ModelFailureKind> = new Set(["timeout", "network", "server_error", "unknown"]);

function isTransient(failure: ModelFailure): boolean {
  return TRANSIENT_KINDS.has(failure.kind) && (failure.httpStatus === undefined || failure.httpStatus >= 500);
}

function attemptLine(attempt: Attempt): string {
  const profile = attempt.profile === undefined ? "" : ` (key ${attempt.profile + 1})`;
  const status = attempt.failure.httpStatus !== undefined ? ` HTTP ${attempt.failure.httpStatus}` : "";
  return `${formatModelRef(attempt.ref)}${profile}: ${attempt.failure.kind}${status}: ${attempt.failure.message}`;
}

export class ModelRouter {
  private config: PincerConfig;
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => number;
  private readonly log: RouterOptions["log"];
  private providers: Map<string, ResolvedProvider>;
  private readonly profiles: AuthProfiles;
  private readonly ollama: OllamaProbe;

  constructor(opts: RouterOptions) {
    this.config = opts.config;
    this.env = opts.env;
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    this.profiles = new AuthProfiles(this.now);
    this.providers = resolveProviders(this.config, this.env);
    this.ollama = new OllamaProbe(this.now, this.providers.get("ollama")?.baseUrl);
  }

  updateConfig(config: PincerConfig): void {
    this.config = config;
    this.providers = resolveProviders(config, this.env);
    this.ollama.setBaseUrl(this.providers.get("ollama")?.baseUrl);
    const keys = new Map<string, Array<string | undefined>>();
    for (const provider of this.providers.values()) keys.set(provider.id, this.keysOf(provider));
    this.profiles.retain(keys);
  }

  /** Primary then fallbacks, as configured (or chosen from the available keys when nothing is). */
  resolveChain(agentId?: string, override?: string): ModelRef[] {
    return resolveModelChain(this.config, this.providers, agentId, override);
  }

  /** The context window of the model a turn would try first, in tokens. */
  contextWindow(agentId?: string, override?: string): number | undefined {
    const ref = this.resolveChain(agentId, override)[0];
    return ref ? findModel(this.providers, ref).contextWindow : undefined;
  }

  /** Clears key cooldowns (one provider or all), e.g. after the user fixed a key outside the config. */
  resetCooldowns(provider?: string): void {
    this.profiles.reset(provider);
  }

  async *stream(req: RouterRequest): AsyncGenerator<RouterEvent> {
    let chain = this.resolveChain(req.agentId, req.modelOverride);
    if (chain.length === 0) chain = await this.localChain();
    if (chain.length === 0) {
      yield this.failed(
        { provider: "none", model: "none" },
        { kind: "not_configured", message: NO_MODEL_CONFIGURED_MESSAGE },
      );
      return;
    }
    const attempts: Attempt[] = [];
    let reason: string | undefined;
    for (const ref of chain) {
      const provider = this.providers.get(ref.provider);
      if (!provider) {
        attempts.push({
          ref,
          failure: {
            kind: "not_configured",
            message: `unknown provider "${ref.provider}": add models.providers.${ref.provider} to ~/.pincer/pincer.json`,
          },
        });
        continue;
      }
      const keys = this.keysOf(provider);
      if (keys.length === 0) {
        const env = provider.envKeys.length > 0 ? `set ${provider.envKeys.join(" or ")} or ` : "set ";
        attempts.push({
          ref,
          failure: { kind: "not_configured", message: `no API key: ${env}models.providers.${provider.id}.apiKey` },
        });
        continue;
      }
      const model = findModel(this.providers, ref);
      let retriedTransient = false;
      for (let profile = 0; profile < keys.length; profile++) {
        const key = keys[profile];
        const health = this.profiles.health(provider.id, key);
        if (!health.available) {
          const until = new Date(health.until ?? 0).toISOString();
          const kind = health.reason === "auth-failed" ? "auth" : "rate_limit";
          attempts.push({
            ref,
            profile,
            failure: { kind, message: `key skipped, ${health.reason ?? "cooldown"} until ${until}` },
          });
          continue;
        }
        const attempt: AttemptEvent = { type: "attempt", provider: ref.provider, model: ref.model, profile };
        if (reason !== undefined) attempt.reason = reason;
        yield attempt;
        let outcome: { done: Extract<ModelEvent, { type: "done" }>; emitted: boolean } | undefined;
        let emitted = false;
        for await (const event of streamModel({
          ref,
          ...(key !== undefined ? { apiKey: key } : {}),
          system: req.system,
          messages: req.messages,
          tools: req.tools,
          ...(req.toolChoice ? { toolChoice: req.toolChoice } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
          ...(req.maxTokens !== undefined ? { maxTokens: req.maxTokens } : {}),
          ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
          provider,
          model,
          now: this.now,
        })) {
          if (event.type === "done") {
            outcome = { done: event, emitted };
            break;
          }
          emitted = true;
          yield event;
        }
        if (!outcome) return;
        const failure = outcome.done.error;
        if (!failure) {
          this.profiles.recordSuccess(provider.id, key);
          yield outcome.done;
          return;
        }
        this.profiles.recordFailure(provider.id, key, failure);
        this.log?.warn(
          {
            provider: ref.provider,
            model: ref.model,
            profile,
            kind: failure.kind,
            httpStatus: failure.httpStatus,
            streamed: outcome.emitted,
          },
          "model call failed",
        );
        if (outcome.emitted || failure.kind === "aborted" || failure.kind === "context_length") {
          yield outcome.done;
          return;
        }
        attempts.push({ ref, profile, failure });
        reason = describeFailure(failure);
        if (failure.kind === "auth" || failure.kind === "rate_limit" || failure.kind === "overloaded") continue;
        if (isTransient(failure) && !retriedTransient) {
          retriedTransient = true;
          profile -= 1;
          continue;
        }
        break;
      }
    }
    yield this.exhausted(chain, attempts);
  }

  /** Per provider and key: can it be used now, until when it cools down, what went wrong last. */
  status(): ProviderStatus[] {
    const out: ProviderStatus[] = [];
    for (const provider of this.providers.values()) {
      const keys = this.keysOf(provider);
      const profiles = keys.map((key, profile): ProfileStatus => {
        const health = this.profiles.health(provider.id, key);
        const status: ProfileStatus = { profile, key: redactKey(key), available: health.available };
        if (health.until !== undefined) status.cooldownUntil = health.until;
        if (health.reason !== undefined) status.unavailableReason = health.reason;
        if (health.lastError) {
          const { kind, message, httpStatus } = health.lastError;
          status.lastError = httpStatus === undefined ? { kind, message } : { kind, message, httpStatus };
        }
        return status;
      });
      out.push({ provider: provider.id, api: provider.api, configured: keys.length > 0, profiles });
    }
    return out;
  }

  /** Every known model with its availability, in the shape of OpenClaw's `models.list`. */
  list(): ModelChoice[] {
    // Lazy: a listing starts a probe when the last answer is stale, so the next listing knows local models.
    void this.ollama.probe();
    return listModelChoices({
      providers: this.providers,
      keysOf: (provider) => this.keysOf(provider),
      health: (provider, key) => this.profiles.health(provider, key),
      ollama: this.ollama.cached(),
    });
  }

  /** Asks the local Ollama now, so the next `list()` includes its models. */
  async refreshLocalModels(): Promise<void> {
    await this.ollama.probe();
  }

  /** Keyless providers have one profile without a key. */
  private keysOf(provider: ResolvedProvider): Array<string | undefined> {
    if (provider.apiKeys.length > 0) return provider.apiKeys;
    return provider.keyless ? [undefined] : [];
  }

  /** With nothing configured and no key anywhere, a running Ollama with a pulled model still works. */
  private async localChain(): Promise<ModelRef[]> {
    const provider = this.providers.get("ollama");
    if (!provider) return [];
    const state = await this.ollama.probe();
    const model = state.reachable ? state.models[0] : undefined;
    return model === undefined ? [] : [{ provider: "ollama", model }];
  }

  private exhausted(chain: ModelRef[], attempts: Attempt[]): Extract<ModelEvent, { type: "done" }> {
    const last = attempts.at(-1);
    const ref = last?.ref ?? chain[0] ?? { provider: "none", model: "none" };
    const allUnconfigured = attempts.every((a) => a.failure.kind === "not_configured");
    const lines = attempts.map(attemptLine).join("; ");
    const failure: ModelFailure = {
      kind: allUnconfigured ? "not_configured" : (last?.failure.kind ?? "unknown"),
      message: `All models failed: ${lines}`,
      provider: ref.provider,
      model: ref.model,
    };
    const retryAfter = this.earliestRetryMs(chain);
    if (retryAfter !== undefined) failure.retryAfterMs = retryAfter;
    if (last?.failure.httpStatus !== undefined) failure.httpStatus = last.failure.httpStatus;
    return this.failed(ref, failure);
  }

  /** When every key of every model is cooling down: how long until the first comes back. */
  private earliestRetryMs(chain: ModelRef[]): number | undefined {
    let earliest: number | undefined;
    for (const ref of chain) {
      const provider = this.providers.get(ref.provider);
      if (!provider) continue;
      for (const key of this.keysOf(provider)) {
        const health = this.profiles.health(provider.id, key);
        if (health.available) return undefined;
        if (health.until !== undefined && (earliest === undefined || health.until < earliest)) earliest = health.until;
      }
    }
    return earliest === undefined ? undefined : Math.max(0, earliest - this.now());
  }

  private failed(ref: ModelRef, failure: ModelFailure): Extract<ModelEvent, { type: "done" }> {
    const message: AssistantMessage = {
      role: "assistant",
      content: [],
      provider: ref.provider,
      model: ref.model,
      usage: emptyUsage(),
      stopReason: "error",
      errorMessage: failure.message,
      timestamp: this.now(),
    };
    return { type: "done", message, error: failure };
  }
}
