/**
 * When a failed account is started again. Exponential from 5 s to 5 min with ±20 % jitter (so accounts that
 * failed together do not reconnect in lockstep), at most 10 attempts in a row and 20 restarts in any hour;
 * past either cap the account stays down with its last error until someone starts it again.
 */
export interface RestartPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay added or removed at random. */
  jitter: number;
  maxAttempts: number;
  maxRestartsPerHour: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialMs: 5_000,
  maxMs: 5 * 60_000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: 10,
  maxRestartsPerHour: 20,
};

const HOUR_MS = 3_600_000;

/** The delay before attempt `attempt` (1-based). `random` is in [0, 1). */
export function restartDelayMs(policy: RestartPolicy, attempt: number, random: number = Math.random()): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = base * policy.jitter * (random * 2 - 1);
  return Math.max(0, Math.round(Math.min(policy.maxMs, base + spread)));
}

/** Counts restarts of one account; says whether another is allowed. */
export class RestartBudget {
  private attempts = 0;
  private readonly recent: number[] = [];

  constructor(
    private readonly policy: RestartPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  get consecutiveAttempts(): number {
    return this.attempts;
  }

  /** Call once an account has connected: the next failure starts the backoff from the beginning. */
  succeeded(): void {
    this.attempts = 0;
  }

  /** Records a failure; returns the delay before the next start, or a reason to give up. */
  failed(random?: number): { delayMs: number } | { giveUp: string } {
    const now = this.now();
    while (this.recent.length > 0 && this.recent[0]! <= now - HOUR_MS) this.recent.shift();
    this.attempts += 1;
    if (this.attempts > this.policy.maxAttempts) {
      return { giveUp: `gave up after ${this.policy.maxAttempts} failed attempts in a row` };
    }
    if (this.recent.length >= this.policy.maxRestartsPerHour) {
      return { giveUp: `gave up after ${this.policy.maxRestartsPerHour} restarts within an hour` };
    }
    this.recent.push(now);
    return { delayMs: restartDelayMs(this.policy, this.attempts, random) };
  }
}
