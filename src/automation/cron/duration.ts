import { PincerError } from "../../errors.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30s", "10m", "1h30m", "2d" → milliseconds; what the CLI and the cron tool take for intervals. */
export function parseDuration(text: string, what = "duration"): number {
  const trimmed = text.trim().toLowerCase();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g)];
  const joined = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || joined.replace(/\s+/g, "") !== trimmed.replace(/\s+/g, "")) {
    throw new PincerError("INVALID_REQUEST", `${what} "${text}" is not a duration: use e.g. 30s, 10m, 2h, 1d or 1h30m`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}

/** An `at` value: an ISO time as is, or a duration from now ("20m") turned into one. */
export function resolveAt(text: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?\s*(ms|s|m|h|d|w)/i.test(text.trim()) && !/^\d{4}-/.test(text.trim())) {
    return new Date(now + parseDuration(text, "at")).toISOString();
  }
  return text.trim();
}
