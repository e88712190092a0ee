import fs from "node:fs/promises";
import path from "node:path";
import { PincerError } from "../errors.js";
import { formatPath, isPlainObject, type PathSegment } from "./config-path.js";

/**
 * `$include`: an object holding `"$include": "file.json5"` (or an array of files) is replaced by the
 * included document(s), deep-merged in order, with the object's other keys merged on top (siblings win).
 * Includes are confined to the config file's folder: a config is one folder you can copy, back up and
 * audit, and a writable config must not become a way to read arbitrary files into the gateway.
 */
export const INCLUDE_KEY = "$include";

/** Nesting bound: cycles are caught exactly, this only bounds pathological (acyclic) fan-out. */
const MAX_INCLUDE_DEPTH = 10;

export interface IncludeContext {
  /** The config file's folder, as given and as resolved through symlinks. */
  rootDir: string;
  realRootDir: string;
  /** The file whose document is being expanded. */
  file: string;
  /** Real paths of the files being expanded, outermost first (for cycle detection and messages). */
  chain: readonly string[];
  /** Where this document sits in the whole config. */
  mountPath: readonly PathSegment[];
}

/** Reads, parses and fully expands one included file (its own includes too). */
export type LoadIncluded = (file: string, ctx: IncludeContext) => Promise<unknown>;

function includeError(ctx: IncludeContext, at: readonly PathSegment[], problem: string): PincerError {
  const where = formatPath([...at, INCLUDE_KEY]);
  return new PincerError("CONFIG_INVALID", `${ctx.file}: ${where}: ${problem}`, {
    details: { path: ctx.file, issues: [{ path: where, message: problem }] },
  });
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** Deep merge: objects merge key by key; anything else in `override` replaces what `base` holds. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = Object.hasOwn(out, k) ? deepMerge(out[k], v) : v;
  return out;
}

async function resolveTarget(target: unknown, ctx: IncludeContext, at: readonly PathSegment[]): Promise<string> {
  if (typeof target !== "string" || target.trim() === "") {
    throw includeError(ctx, at, "must be a file name or an array of file names");
  }
  const abs = path.resolve(path.dirname(ctx.file), target);
  if (!isInside(ctx.rootDir, abs)) {
    throw includeError(ctx, at, `"${target}" is outside the config folder ${ctx.rootDir}; move the file into it`);
  }
  let real: string;
  try {
    real = await fs.realpath(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw includeError(
      ctx,
      at,
      code === "ENOENT" ? `"${target}" does not exist (${abs})` : `cannot read "${target}": ${code}`,
    );
  }
  if (!isInside(ctx.realRootDir, real)) {
    throw includeError(ctx, at, `"${target}" is a symlink to ${real}, outside the config folder ${ctx.rootDir}`);
  }
  if (ctx.chain.includes(real)) {
    const cycle = [...ctx.chain.slice(ctx.chain.indexOf(real)), real].map((f) => path.relative(ctx.realRootDir, f));
    throw includeError(ctx, at, `include cycle: ${cycle.join(" -> ")}`);
  }
  if (ctx.chain.length > MAX_INCLUDE_DEPTH) {
    throw includeError(ctx, at, `includes nested deeper than ${MAX_INCLUDE_DEPTH} files`);
  }
  return real;
}

/** Returns a copy of `value` with every `$include` replaced by the merged included documents. */
export async function expandIncludes(value: unknown, ctx: IncludeContext, load: LoadIncluded): Promise<unknown> {
  const walk = async (v: unknown, at: readonly PathSegment[]): Promise<unknown> => {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i += 1) out.push(await walk(v[i], [...at, i]));
      return out;
    }
    if (!isPlainObject(v)) return v;

    const siblings: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) {
      if (k !== INCLUDE_KEY) siblings[k] = await walk(child, [...at, k]);
    }
    if (!Object.hasOwn(v, INCLUDE_KEY)) return siblings;

    const spec = v[INCLUDE_KEY];
    const targets = Array.isArray(spec) ? spec : [spec];
    if (targets.length === 0) throw includeError(ctx, at, "is an empty array");
    let merged: unknown;
    for (const target of targets) {
      const real = await resolveTarget(target, ctx, at);
      const included = await load(real, { ...ctx, file: real, chain: [...ctx.chain, real], mountPath: at });
      if (!isPlainObject(included) && (targets.length > 1 || Object.keys(siblings).length > 0)) {
        throw includeError(
          ctx,
          at,
          `"${String(target)}" holds ${Array.isArray(included) ? "an array" : typeof included}; only objects can be merged`,
        );
      }
      merged = merged === undefined ? included : deepMerge(merged, included);
    }
    return Object.keys(siblings).length > 0 ? deepMerge(merged, siblings) : merged;
  };
  return walk(value, ctx.mountPath);
}
