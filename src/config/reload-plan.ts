import { formatPath, isPlainObject, type PathSegment } from "./config-path.js";
import type { PincerConfig } from "./schema.js";

/** What changed between two configs and whether the gateway can apply it in place. */
export interface ReloadPlan {
  /** Leaf paths whose value differs (an array counts as one value). */
  changedPaths: string[];
  /** Changed paths the running gateway picks up in place. */
  hot: string[];
  /** Changed paths that only take effect after a gateway restart. */
  restart: string[];
}

type Effect = "hot" | "restart";

/**
 * Longest matching prefix wins. Listening sockets, auth and the WebSocket limits are fixed when the server
 * starts; plugins and `env` are read once at start-up. Everything else is read per use (models, agents,
 * sessions, logging level, tools) or owned by a manager that restarts its own part (channels, cron).
 */
const RULES: ReadonlyArray<readonly [prefix: string, effect: Effect]> = [
  ["gateway", "restart"],
  ["gateway.reload", "hot"],
  // The Control UI reads its base path per request.
  ["gateway.controlUi.basePath", "hot"],
  ["plugins", "restart"],
  ["env", "restart"],
];

function effectOf(path: readonly PathSegment[]): Effect {
  let best: { length: number; effect: Effect } = { length: -1, effect: "hot" };
  for (const [prefix, effect] of RULES) {
    const parts = prefix.split(".");
    if (parts.length > best.length && parts.every((p, i) => path[i] === p)) best = { length: parts.length, effect };
  }
  return best.effect;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

function diff(a: unknown, b: unknown, at: PathSegment[], out: PathSegment[][]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diff(a[k], b[k], [...at, k], out);
  } else if (!sameValue(a, b)) {
    out.push(at);
  }
}

export function reloadPlan(prev: PincerConfig, next: PincerConfig): ReloadPlan {
  const changed: PathSegment[][] = [];
  diff(prev, next, [], changed);
  const plan: ReloadPlan = { changedPaths: [], hot: [], restart: [] };
  for (const path of changed) {
    const formatted = formatPath(path);
    plan.changedPaths.push(formatted);
    plan[effectOf(path)].push(formatted);
  }
  return plan;
}
