/**
 * A sliding one-minute window per key (a visitor id, or an address minting visitor ids): at most `limit`
 * events in any 60 s. Keys with no recent events are forgotten, so the table stays as small as the traffic.
 */

export const RATE_WINDOW_MS = 60_000;
/** Above this many keys, idle ones are swept before adding more. */
const MAX_TRACKED_KEYS = 10_000;

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records one event for `key` if it fits under `limit`; otherwise says how long until it would. */
  take(key: string, limit: number): RateDecision {
    const now = this.now();
    if (this.hits.size >= MAX_TRACKED_KEYS) this.sweep(now);
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < RATE_WINDOW_MS);
    if (recent.length >= limit) {
      this.hits.set(key, recent);
      const oldest = recent[recent.length - limit] ?? now;
      return { ok: false, retryAfterMs: Math.max(1, oldest + RATE_WINDOW_MS - now) };
    }
    recent.push(now);
    this.hits.set(key, recent);
    return { ok: true };
  }

  get tracked(): number {
    return this.hits.size;
  }

  private sweep(now: number): void {
    for (const [key, times] of this.hits) {
      if (times.every((t) => now - t >= RATE_WINDOW_MS)) this.hits.delete(key);
    }
  }
}
