import { createHash } from "node:crypto";
import { PincerError } from "../../errors.js";
import type { CronSchedule } from "./job-schema.js";

type CronClass = typeof import("croner").Cron;

/** Top-of-hour cron jobs are spread over this window unless they set staggerMs (OpenClaw's 5 minutes). */
export const DEFAULT_TOP_OF_HOUR_STAGGER_MS = 5 * 60_000;

let croner: CronClass | undefined;

/** Loads croner (only when a `cron` schedule exists: gateways without such jobs never pay for it). */
export async function loadCroner(): Promise<void> {
  croner ??= (await import("croner")).Cron;
}

export function cronerLoaded(): boolean {
  return croner !== undefined;
}

/** Milliseconds of an `at` time; an ISO time without an offset is UTC. */
export function parseAt(at: string): number {
  const trimmed = at.trim();
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  const isDateTime = /^\d{4}-\d{2}-\d{2}T/.test(trimmed);
  const ms = Date.parse(isDateTime && !hasZone ? `${trimmed}Z` : trimmed);
  if (!Number.isFinite(ms)) {
    throw new PincerError("INVALID_REQUEST", `schedule.at "${at}" is not an ISO 8601 time, e.g. 2026-02-01T16:00:00Z`);
  }
  return ms;
}

/** Throws INVALID_REQUEST naming the problem when the schedule cannot run (bad expression, unknown time zone). */
export async function validateSchedule(schedule: CronSchedule): Promise<void> {
  if (schedule.kind === "at") {
    parseAt(schedule.at);
    return;
  }
  if (schedule.kind !== "cron") return;
  if (schedule.tz) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: schedule.tz });
    } catch {
      throw new PincerError(
        "INVALID_REQUEST",
        `schedule.tz "${schedule.tz}" is not an IANA time zone, e.g. Europe/Berlin or America/New_York`,
      );
    }
  }
  await loadCroner();
  try {
    new croner!(schedule.expr, { paused: true, ...(schedule.tz ? { timezone: schedule.tz } : {}) });
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^CronPattern:\s*/, "") : String(err);
    throw new PincerError(
      "INVALID_REQUEST",
      `schedule.expr "${schedule.expr}" is not a valid cron expression (${why}); use 5 fields: minute hour day month weekday, e.g. "0 8 * * 1-5"`,
    );
  }
}

/** The stagger window of a cron schedule: its own, or the default for top-of-hour expressions. */
export function staggerWindowMs(schedule: Extract<CronSchedule, { kind: "cron" }>): number {
  if (schedule.staggerMs !== undefined) return schedule.staggerMs;
  const fields = schedule.expr.trim().split(/\s+/);
  const [minute, hour] = fields.length === 6 ? [fields[1], fields[2]] : [fields[0], fields[1]];
  const secondsOk = fields.length !== 6 || fields[0] === "0";
  return secondsOk && minute === "0" && hour?.startsWith("*") ? DEFAULT_TOP_OF_HOUR_STAGGER_MS : 0;
}

/** A job's fixed offset inside its stagger window, so its runs keep a steady rhythm. */
export function staggerOffsetMs(jobId: string, windowMs: number): number {
  if (windowMs <= 0) return 0;
  return createHash("sha256").update(jobId).digest().readUInt32BE(0) % windowMs;
}

/**
 * The first run strictly after `afterMs`, or undefined when there is none (a one-shot already past, an
 * expression that never matches again). `cron` schedules need loadCroner() first.
 */
export function nextRunAfter(
  schedule: CronSchedule,
  afterMs: number,
  job: { id: string; createdAtMs: number },
): number | undefined {
  switch (schedule.kind) {
    case "at": {
      const at = parseAt(schedule.at);
      return at > afterMs ? at : undefined;
    }
    case "every": {
      const anchor = schedule.anchorMs ?? job.createdAtMs;
      if (afterMs < anchor) return anchor;
      const periods = Math.floor((afterMs - anchor) / schedule.everyMs) + 1;
      return anchor + periods * schedule.everyMs;
    }
    case "cron": {
      if (!croner) throw new PincerError("INTERNAL", "croner is not loaded: call loadCroner() before scheduling");
      const offset = staggerOffsetMs(job.id, staggerWindowMs(schedule));
      const cron = new croner(schedule.expr, { paused: true, ...(schedule.tz ? { timezone: schedule.tz } : {}) });
      const next = cron.nextRun(new Date(afterMs - offset));
      return next ? next.getTime() + offset : undefined;
    }
  }
}
