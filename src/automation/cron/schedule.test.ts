import { beforeAll, describe, expect, it } from "vitest";
import { PincerError } from "../../errors.js";
import { parseDuration, resolveAt } from "./duration.js";
import {
  DEFAULT_TOP_OF_HOUR_STAGGER_MS,
  loadCroner,
  nextRunAfter,
  parseAt,
  staggerOffsetMs,
  staggerWindowMs,
  validateSchedule,
} from "./schedule.js";

const job = { id: "job1", createdAtMs: Date.UTC(2026, 0, 1) };

beforeAll(async () => {
  await loadCroner();
});

describe("nextRunAfter", () => {
  it("at: the time while it is ahead, then nothing", () => {
    const at = "2026-03-01T10:00:00Z";
    expect(nextRunAfter({ kind: "at", at }, Date.UTC(2026, 1, 1), job)).toBe(Date.UTC(2026, 2, 1, 10));
    expect(nextRunAfter({ kind: "at", at }, Date.UTC(2026, 2, 1, 10), job)).toBeUndefined();
  });

  it("every: steps from the anchor (the job's creation by default)", () => {
    const every = { kind: "every" as const, everyMs: 60_000 };
    expect(nextRunAfter(every, job.createdAtMs - 5, job)).toBe(job.createdAtMs);
    expect(nextRunAfter(every, job.createdAtMs, job)).toBe(job.createdAtMs + 60_000);
    expect(nextRunAfter(every, job.createdAtMs + 90_000, job)).toBe(job.createdAtMs + 120_000);
    expect(nextRunAfter({ ...every, anchorMs: 1_000 }, 1_500, job)).toBe(61_000);
  });

  it("cron: weekdays at 8:00 in the given time zone", () => {
    const s = { kind: "cron" as const, expr: "0 8 * * 1-5", tz: "Europe/Berlin" };
    // Friday 2 Jan 2026, after 8:00 Berlin (07:00Z): the next is Monday 5 Jan, 07:00Z.
    expect(nextRunAfter(s, Date.UTC(2026, 0, 2, 7, 30), job)).toBe(Date.UTC(2026, 0, 5, 7));
    const ny = { kind: "cron" as const, expr: "0 8 * * 1-5", tz: "America/New_York" };
    expect(nextRunAfter(ny, Date.UTC(2026, 0, 5, 0), job)).toBe(Date.UTC(2026, 0, 5, 13));
  });

  it("cron: top-of-hour jobs are staggered by a fixed per-job offset inside 5 minutes", () => {
    const hourly = { kind: "cron" as const, expr: "0 * * * *", tz: "UTC" };
    expect(staggerWindowMs(hourly)).toBe(DEFAULT_TOP_OF_HOUR_STAGGER_MS);
    const offset = staggerOffsetMs(job.id, DEFAULT_TOP_OF_HOUR_STAGGER_MS);
    const from = Date.UTC(2026, 0, 1, 9, 30);
    expect(nextRunAfter(hourly, from, job)).toBe(Date.UTC(2026, 0, 1, 10) + offset);
    expect(nextRunAfter(hourly, Date.UTC(2026, 0, 1, 10) + offset, job)).toBe(Date.UTC(2026, 0, 1, 11) + offset);
    expect(staggerWindowMs({ ...hourly, staggerMs: 0 })).toBe(0);
    expect(staggerWindowMs({ kind: "cron", expr: "0 8 * * *" })).toBe(0);
    expect(staggerWindowMs({ kind: "cron", expr: "30 * * * *" })).toBe(0);
  });
});

describe("validateSchedule", () => {
  it.each([
    [{ kind: "cron" as const, expr: "61 * * * *" }, /not a valid cron expression/],
    [{ kind: "cron" as const, expr: "every day" }, /not a valid cron expression/],
    [{ kind: "cron" as const, expr: "0 8 * * *", tz: "Mars/Olympus" }, /not an IANA time zone/],
    [{ kind: "at" as const, at: "tomorrow-ish" }, /not an ISO 8601 time/],
  ])("refuses %j", async (schedule, message) => {
    await expect(validateSchedule(schedule)).rejects.toThrow(message);
    await expect(validateSchedule(schedule)).rejects.toBeInstanceOf(PincerError);
  });

  it("accepts a good expression with a time zone", async () => {
    await expect(validateSchedule({ kind: "cron", expr: "0 8 * * 1-5", tz: "Europe/Berlin" })).resolves.toBeUndefined();
  });
});

describe("times and durations", () => {
  it("reads an ISO time without offset as UTC", () => {
    expect(parseAt("2026-01-01T08:00:00")).toBe(Date.UTC(2026, 0, 1, 8));
    expect(parseAt("2026-01-01T08:00:00+02:00")).toBe(Date.UTC(2026, 0, 1, 6));
  });

  it.each([
    ["30s", 30_000],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["2d", 172_800_000],
  ])("%s is %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "ten minutes", "5", "5x"])("%j is not a duration", (text) => {
    expect(() => parseDuration(text)).toThrow(PincerError);
  });

  it("turns a delay into an ISO time and leaves ISO times alone", () => {
    expect(resolveAt("20m", Date.UTC(2026, 0, 1))).toBe("2026-01-01T00:20:00.000Z");
    expect(resolveAt("2026-05-01T00:00:00Z")).toBe("2026-05-01T00:00:00Z");
  });
});
