/**
 * When a session key rolls over to a fresh session id (OpenClaw semantics, evaluated on the next
 * inbound message, never by a timer):
 * - daily: the session started before the most recent `atHour:00` in the gateway host's local time;
 * - idle: no real interaction for more than `idleMinutes`.
 * With mode "daily" and `idleMinutes` both apply, and whichever expired first is the reason.
 */

export interface ResetPolicy {
  mode: "daily" | "idle" | "off";
  /** Local hour (0–23) of the daily boundary; OpenClaw's default is 4. */
  atHour?: number | undefined;
  idleMinutes?: number | undefined;
}

export type ResetReason = "daily" | "idle";

export const DEFAULT_RESET_HOUR = 4;

const MINUTE_MS = 60_000;

export interface ResetClockFields {
  /** When the current session id started. */
  sessionStartedAt?: number | undefined;
  /** Last real user/channel interaction (system events do not count). */
  lastInteractionAt?: number | undefined;
  updatedAt: number;
}

/** The first local `atHour:00` strictly after `time`. */
export function nextDailyBoundary(time: number, atHour: number): number {
  const d = new Date(time);
  d.setHours(atHour, 0, 0, 0);
  if (d.getTime() <= time) {
    d.setDate(d.getDate() + 1);
    d.setHours(atHour, 0, 0, 0);
  }
  return d.getTime();
}

/** The reason the session is stale at `now`, or undefined when it is still fresh. */
export function evaluateResetPolicy(
  fields: ResetClockFields,
  policy: ResetPolicy,
  now: number,
): ResetReason | undefined {
  if (policy.mode === "off") return undefined;
  const started = fields.sessionStartedAt ?? fields.updatedAt;
  const lastInteraction = fields.lastInteractionAt ?? started;
  const expiries: Array<{ reason: ResetReason; at: number }> = [];
  if (policy.mode === "daily") {
    const hour = clampHour(policy.atHour ?? DEFAULT_RESET_HOUR);
    expiries.push({ reason: "daily", at: nextDailyBoundary(started, hour) });
  }
  if (policy.idleMinutes !== undefined && policy.idleMinutes > 0) {
    // Stale once the idle window has fully passed; a message exactly at the edge still continues.
    expiries.push({ reason: "idle", at: lastInteraction + policy.idleMinutes * MINUTE_MS + 1 });
  }
  const expired = expiries.filter((e) => now >= e.at).sort((a, b) => a.at - b.at);
  return expired[0]?.reason;
}

function clampHour(hour: number): number {
  if (!Number.isFinite(hour)) return DEFAULT_RESET_HOUR;
  return Math.min(23, Math.max(0, Math.trunc(hour)));
}
