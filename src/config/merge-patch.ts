import { formatPath, isPlainObject, type PathSegment, parsePath } from "./config-path.js";

/**
 * RFC 7396 JSON Merge Patch: objects merge key by key, `null` deletes a key, anything else (arrays included)
 * replaces. Pure: neither argument is modified.
 *
 * `replacePaths` names object paths whose patch value replaces the target's value wholesale instead of
 * merging into it, so a client can say "this provider's settings are exactly these" without first sending
 * `null` for every key it wants gone.
 */
export function applyMergePatch(target: unknown, patch: unknown, replacePaths: readonly string[] = []): unknown {
  const replace = new Set(replacePaths.map((p) => formatPath(parsePath(p))));
  return merge(target, patch, [], replace);
}

function merge(target: unknown, patch: unknown, at: PathSegment[], replace: ReadonlySet<string>): unknown {
  if (!isPlainObject(patch)) return Array.isArray(patch) ? patch.slice() : patch;
  // Starting a replaced object from {} also drops its nested nulls: "absent", as RFC 7396 reads them.
  const out: Record<string, unknown> = isPlainObject(target) && !replace.has(formatPath(at)) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = merge(Object.hasOwn(out, key) ? out[key] : undefined, value, [...at, key], replace);
  }
  return out;
}

/** Paths the patch deletes (its `null` leaves), for callers that must check a deletion took effect. */
export function mergePatchDeletions(patch: unknown, at: PathSegment[] = []): PathSegment[][] {
  if (!isPlainObject(patch)) return [];
  const out: PathSegment[][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) out.push([...at, key]);
    else out.push(...mergePatchDeletions(value, [...at, key]));
  }
  return out;
}
