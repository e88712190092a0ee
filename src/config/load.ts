import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import JSON5 from "json5";
import { PincerError } from "../errors.js";
import { formatPath, isPlainObject, type PathSegment } from "./config-path.js";
import { substituteEnv } from "./env-substitution.js";
import { expandIncludes, INCLUDE_KEY, type IncludeContext } from "./includes.js";
import type { PincerConfig } from "./schema.js";
import { resolveSecretRefs } from "./secret-refs.js";
import { configInvalid, validateConfig } from "./validate.js";

/** One loaded config file, from the bytes on disk to the validated config. */
export interface ConfigSnapshot {
  /** The config file. */
  path: string;
  exists: boolean;
  /** The file's text ("" when missing). */
  raw: string;
  /** The document as written: $include, ${VAR} and SecretRefs not expanded ({} when missing). */
  parsed: unknown;
  /** $include and ${VAR} expanded (so it may hold secrets), SecretRefs still references, no defaults. */
  resolved: unknown;
  /** Expanded, secrets resolved, validated, defaults applied. */
  config: PincerConfig;
  /** sha256 hex of `raw` (of "" when missing): the baseHash writers must present. */
  hash: string;
  /** Paths in `config` whose value came from a SecretRef (redacted wherever the config is shown). */
  secretPaths: string[];
  /** Real paths of every $include'd file, so a watcher can follow them too. */
  includes: string[];
}

export function hashRaw(raw: string): string {
  return createHash("sha256").update(raw, "utf8").digest("hex");
}

/** `__proto__` as an own key would turn into a prototype on the first plain assignment of a copy. */
function rejectProtoKeys(file: string, value: unknown, at: PathSegment[] = []): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) rejectProtoKeys(file, v, [...at, i]);
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "__proto__")
        throw configInvalid(file, [{ path: formatPath([...at, k]), message: 'the key "__proto__" is not allowed' }]);
      rejectProtoKeys(file, v, [...at, k]);
    }
  }
}

/** Parses JSON5 text; a syntax error becomes CONFIG_INVALID with its line and column. */
export function parseJson5(file: string, text: string): unknown {
  let value: unknown;
  try {
    value = JSON5.parse(text);
  } catch (err) {
    const e = err as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const message = `JSON5 syntax error: ${e.message.replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "")}`;
    const issue = { path: "", message, line: e.lineNumber, column: e.columnNumber };
    const at = e.lineNumber !== undefined ? `:${e.lineNumber}:${e.columnNumber ?? 0}` : "";
    throw new PincerError("CONFIG_INVALID", `${file}${at}: ${message}`, {
      details: { path: file, issues: [issue] },
      cause: err,
    });
  }
  rejectProtoKeys(file, value);
  return value;
}

/** Parses a config document (the main file or an included one): JSON5 holding one object. */
export function parseConfigDocument(file: string, raw: string): Record<string, unknown> {
  if (raw.trim() === "") {
    // An empty file is more often a save in progress or a truncation than a wish for defaults.
    throw configInvalid(file, [{ path: "", message: "the file is empty; write {} for all defaults, or delete it" }]);
  }
  const value = parseJson5(file, raw);
  if (!isPlainObject(value)) {
    throw configInvalid(file, [
      { path: "", message: `the top level must be an object, not ${Array.isArray(value) ? "an array" : typeof value}` },
    ]);
  }
  return value;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new PincerError("CONFIG_INVALID", `cannot read config ${file}: ${code ?? err}`, { cause: err });
  }
}

async function realpathOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return p;
  }
}

/** Expands includes and ${VAR} in a parsed document: the user's keys, before secrets and defaults. */
async function resolveDocument(file: string, parsed: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const includes: string[] = [];
  const rootDir = path.dirname(file);
  const skipKeys = new Set([INCLUDE_KEY]);
  const ctx: IncludeContext = {
    rootDir,
    realRootDir: await realpathOrSelf(rootDir),
    file,
    chain: [await realpathOrSelf(file)],
    mountPath: [],
  };
  const loadIncluded = async (included: string, inner: IncludeContext): Promise<unknown> => {
    includes.push(included);
    const text = await readText(included);
    if (text === undefined)
      throw configInvalid(included, [{ path: "", message: "included file disappeared while loading" }]);
    const doc = parseJson5(included, text);
    const substituted = substituteEnv(doc, { file: included, mountPath: inner.mountPath, env, skipKeys });
    return expandIncludes(substituted, inner, loadIncluded);
  };
  const substituted = substituteEnv(parsed, { file, mountPath: [], env, skipKeys });
  const resolved = await expandIncludes(substituted, ctx, loadIncluded);
  return { resolved, includes };
}

/**
 * Loads a config from text that is (or is about to be) the content of `file`: writers validate a candidate
 * this way before a single byte reaches the disk. Includes resolve against the files already on disk.
 */
export async function loadConfigFromRaw(
  file: string,
  raw: string,
  env: NodeJS.ProcessEnv = process.env,
  exists = true,
): Promise<ConfigSnapshot> {
  const abs = path.resolve(file);
  const parsed = exists ? parseConfigDocument(abs, raw) : {};
  const { resolved, includes } = await resolveDocument(abs, parsed, env);
  const secrets = await resolveSecretRefs(resolved, { file: abs, env });
  const config = validateConfig(abs, secrets.value);
  return {
    path: abs,
    exists,
    raw,
    parsed,
    resolved,
    config,
    hash: hashRaw(raw),
    secretPaths: secrets.secretPaths,
    includes,
  };
}

/** Loads the config file; a missing file is the all-defaults config. Throws CONFIG_INVALID naming what is wrong. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigSnapshot> {
  const raw = await readText(path.resolve(file));
  return loadConfigFromRaw(file, raw ?? "", env, raw !== undefined);
}
