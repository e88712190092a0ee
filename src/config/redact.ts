import { PincerError } from "../errors.js";
import { formatPath, getAtPath, isPlainObject, type PathSegment } from "./config-path.js";
import { isEnvReference } from "./env-substitution.js";
import { locateStringValues, replaceSpans } from "./json5-locate.js";
import type { ConfigSnapshot } from "./load.js";
import type { PincerConfig } from "./schema.js";

/**
 * Secrets never leave the gateway through config.get, status or logs: they are replaced by a sentinel. When a
 * document carrying the sentinel comes back (config.set/patch/apply), the sentinel is swapped for the value
 * the current file holds at the same path, so a UI can edit and save a config without ever seeing a secret.
 */
export const REDACTED_SENTINEL = "__PINCER_REDACTED__";

/** Key names whose string values are secrets (botToken, appToken, signingSecret, apiKey, privateKey …). */
const SENSITIVE_KEY_PATTERNS = [
  /token$/i,
  /password/i,
  /passphrase/i,
  /secret/i,
  /api[-_]?keys?$/i,
  /private[-_]?key/i,
  /^authorization$/i,
  /^cookie$/i,
];

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY_PATTERNS.some((re) => re.test(key));
}

/** A string is sensitive by the nearest key above it: `apiKey[1]` is as secret as `apiKey`. */
function isSensitivePath(path: readonly PathSegment[]): boolean {
  for (let i = path.length - 1; i >= 0; i -= 1) {
    const seg = path[i];
    if (typeof seg === "string") return isSensitiveKey(seg);
  }
  return false;
}

/** A copy of `value` with secret strings replaced: by key name, and at `secretPaths` (resolved SecretRefs). */
export function redactValue<T>(value: T, secretPaths: readonly string[] = []): T {
  const extra = new Set(secretPaths);
  const walk = (v: unknown, at: PathSegment[]): unknown => {
    if (typeof v === "string") {
      return extra.has(formatPath(at)) || (isSensitivePath(at) && !isEnvReference(v)) ? REDACTED_SENTINEL : v;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, i]));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) out[k] = walk(child, [...at, k]);
      return out;
    }
    return v;
  };
  return walk(value, []) as T;
}

/** Every secret string in a resolved config: what a log scrubber must never print. */
export function collectSecretValues(config: unknown, secretPaths: readonly string[] = []): string[] {
  const extra = new Set(secretPaths);
  const found = new Set<string>();
  const walk = (v: unknown, at: PathSegment[]): void => {
    if (typeof v === "string") {
      if (v && v !== REDACTED_SENTINEL && (extra.has(formatPath(at)) || isSensitivePath(at))) found.add(v);
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, [...at, i]);
    } else if (isPlainObject(v)) for (const [k, child] of Object.entries(v)) walk(child, [...at, k]);
  };
  walk(config, []);
  return [...found];
}

/**
 * Redacts config text in place: string values under sensitive keys, and any literal equal to a known secret
 * (a resolved value the user also wrote out elsewhere). `${VAR}` references are kept: they name, not hold.
 */
export function redactRaw(raw: string, secretValues: Iterable<string> = []): string {
  if (raw.trim() === "") return raw;
  const known = new Set(secretValues);
  const edits = locateStringValues(raw)
    .filter(
      (s) =>
        s.value !== REDACTED_SENTINEL && (known.has(s.value) || (isSensitivePath(s.path) && !isEnvReference(s.value))),
    )
    .map((s) => ({ start: s.start, end: s.end, literal: JSON.stringify(REDACTED_SENTINEL) }));
  return replaceSpans(raw, edits);
}

/** What config.get returns: the snapshot with every secret replaced, in the text and in the values. */
export interface RedactedConfigSnapshot {
  path: string;
  exists: boolean;
  raw: string;
  hash: string;
  parsed: unknown;
  config: PincerConfig;
  valid: true;
}

export function redactSnapshot(snapshot: ConfigSnapshot): RedactedConfigSnapshot {
  const secrets = collectSecretValues(snapshot.config, snapshot.secretPaths);
  return {
    path: snapshot.path,
    exists: snapshot.exists,
    raw: redactRaw(snapshot.raw, secrets),
    hash: snapshot.hash,
    parsed: redactValue(snapshot.parsed),
    config: redactValue(snapshot.config, snapshot.secretPaths),
    valid: true,
  };
}

function unrestorable(file: string, at: readonly PathSegment[]): PincerError {
  const where = formatPath(at);
  const message = `holds ${REDACTED_SENTINEL} but the current config has no value there to restore; send the real value`;
  return new PincerError("CONFIG_INVALID", `${file}: ${where}: ${message}`, {
    details: { path: file, issues: [{ path: where, message }] },
  });
}

/**
 * Restores sentinels in incoming config text from `current` (the document as written now), editing only the
 * sentinel literals so the rest of the text stays exactly as sent.
 */
export function restoreRedactedRaw(raw: string, current: unknown, file: string): string {
  if (!raw.includes(REDACTED_SENTINEL)) return raw;
  const edits = locateStringValues(raw)
    .filter((s) => s.value === REDACTED_SENTINEL)
    .map((s) => {
      const prev = getAtPath(current, s.path);
      if (!prev.found || prev.value === REDACTED_SENTINEL) throw unrestorable(file, s.path);
      return { start: s.start, end: s.end, literal: JSON.stringify(prev.value) };
    });
  return replaceSpans(raw, edits);
}

/**
 * Restores sentinels in an incoming document (a merge patch) from `current` (as written). A sentinel for a
 * key that only an $include'd file provides (`resolved` has it, `current` does not) is dropped, leaving the
 * included value in force; anything else without a value to restore is an error.
 */
export function restoreRedactedDocument(incoming: unknown, current: unknown, resolved: unknown, file: string): unknown {
  const walk = (v: unknown, at: PathSegment[]): unknown => {
    if (v === REDACTED_SENTINEL) {
      const prev = getAtPath(current, at);
      if (prev.found && prev.value !== REDACTED_SENTINEL) return prev.value;
      if (typeof at[at.length - 1] === "string" && getAtPath(resolved, at).found) return undefined;
      throw unrestorable(file, at);
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, i]));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) {
        const restored = walk(child, [...at, k]);
        if (restored !== undefined) out[k] = restored;
      }
      return out;
    }
    return v;
  };
  return walk(incoming, []);
}
