import { deepEqual, isObject } from "./schema-check.js";

/**
 * The RFC 7396 merge patch that turns `before` into `after`: changed keys carry their new value, removed
 * keys carry null, lists are replaced whole. Sending only the difference with config.patch means a setting
 * someone else changed meanwhile in another part of the file is not overwritten (baseHash guards the rest).
 * Returns undefined when nothing changed.
 */
export function mergePatchDiff(before: unknown, after: unknown): unknown {
  if (!isObject(before) || !isObject(after)) return deepEqual(before, after) ? undefined : after;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    if (!(key in before)) {
      patch[key] = value;
      continue;
    }
    const inner = mergePatchDiff(before[key], value);
    if (inner !== undefined) patch[key] = inner;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Where a JSON.parse failure is, as line and column of the text (Chromium and Firefox report an offset). */
export function jsonErrorLocation(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(message);
  if (!pos) return message;
  const offset = Number(pos[1]);
  const before = text.slice(0, offset).split("\n");
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `${message.replace(/\s*\(line \d+ column \d+\)/, "").replace(/ in JSON at position \d+.*$/, "")} at line ${line}, column ${column}`;
}
