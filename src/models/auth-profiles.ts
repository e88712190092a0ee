import type { ModelFailure } from "./failure.js";

/**
 * Health of each auth profile (one API key of one provider): cooldowns after rate limits, long lockouts
 * after auth failures. In memory only: a restart gives every key a fresh chance, which is what a user who
 * just fixed a key expects. State is keyed by the key itself, so a changed key starts clean.
 */

/** First cooldown after a 429/overload without retry-after; doubles per consecutive one. */
export const RATE_LIMIT_BASE_COOLDOWN_MS = 30_000;
/** Ceiling of the doubling: an hour is long enough to outlast any per-hour quota. */
export const RATE_LIMIT_MAX_COOLDOWN_MS = 60 * 60 * 1000;
/**
 * A rejected key (401/403/402) stays out this long: it is revoked, mistyped or out of credit, and
 * retrying it sooner only adds failed calls. Changing the key in the config clears it at once.
 */
export const AUTH_FAILURE_COOLDOWN_MS = 6 * 60 * 60 * 1000;

export type ProfileUnavailableReason = "auth-failed" | "cooldown";

interface ProfileState {
  /** Consecutive rate limits/overloads, for the backoff exponent; reset on success. */
  rateLimits: number;
  until: number;
  reason?: ProfileUnavailableReason;
  lastError?: ModelFailure;
}

export interface ProfileHealth {
  available: boolean;
  /** When the key may be tried again (epoch ms); absent while available. */
  until?: number;
  reason?: ProfileUnavailableReason;
  lastError?: ModelFailure;
}

/** Cooldown for the n-th consecutive rate limit (n ≥ 1), or what the provider asked for. */
export function rateLimitCooldownMs(consecutive: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), RATE_LIMIT_MAX_COOLDOWN_MS);
  const exponent = Math.max(0, consecutive - 1);
  return Math.min(RATE_LIMIT_BASE_COOLDOWN_MS * 2 ** Math.min(exponent, 20), RATE_LIMIT_MAX_COOLDOWN_MS);
}

function profileId(provider: string, key: string | undefined): string {
  return `${provider}\u0000${key ?? ""}`;
}

export class AuthProfiles {
  private readonly states = new Map<string, ProfileState>();

  constructor(private readonly now: () => number) {}

  health(provider: string, key: string | undefined): ProfileHealth {
    const state = this.states.get(profileId(provider, key));
    if (!state) return { available: true };
    const health: ProfileHealth = { available: state.until <= this.now() };
    if (!health.available) {
      health.until = state.until;
      if (state.reason) health.reason = state.reason;
    }
    if (state.lastError) health.lastError = state.lastError;
    return health;
  }

  recordSuccess(provider: string, key: string | undefined): void {
    const id = profileId(provider, key);
    const state = this.states.get(id);
    if (!state) return;
    // The last error stays visible in status(); only the penalty goes.
    state.rateLimits = 0;
    state.until = 0;
    delete state.reason;
  }

  /** Applies the penalty a failure earns: only auth and rate/overload failures are the key's fault. */
  recordFailure(provider: string, key: string | undefined, failure: ModelFailure): void {
    const id = profileId(provider, key);
    const state = this.states.get(id) ?? { rateLimits: 0, until: 0 };
    state.lastError = failure;
    if (failure.kind === "auth") {
      state.until = this.now() + AUTH_FAILURE_COOLDOWN_MS;
      state.reason = "auth-failed";
    } else if (failure.kind === "rate_limit" || failure.kind === "overloaded") {
      state.rateLimits += 1;
      state.until = this.now() + rateLimitCooldownMs(state.rateLimits, failure.retryAfterMs);
      state.reason = "cooldown";
    }
    this.states.set(id, state);
  }

  /** Forgets penalties, for one provider or all (a user who says "I fixed it"). */
  reset(provider?: string): void {
    if (provider === undefined) {
      this.states.clear();
      return;
    }
    for (const id of this.states.keys()) if (id.startsWith(`${provider}\u0000`)) this.states.delete(id);
  }

  /** Drops state of keys no longer configured, so removed keys do not linger in memory. */
  retain(keysByProvider: ReadonlyMap<string, ReadonlyArray<string | undefined>>): void {
    const keep = new Set<string>();
    for (const [provider, keys] of keysByProvider) for (const key of keys) keep.add(profileId(provider, key));
    for (const id of this.states.keys()) if (!keep.has(id)) this.states.delete(id);
  }
}

/** "sk-ant-…abcd": enough to tell keys apart in status output, never enough to use one. */
export function redactKey(key: string | undefined): string {
  if (key === undefined || key === "") return "(none)";
  return key.length <= 8 ? "…" : `…${key.slice(-4)}`;
}
