import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { SessionEntry } from "./session-entry.js";
import { parseArchiveName } from "./transcript.js";

/**
 * Session retention (`session.maintenance`): which rows to drop, and which leftover files are old enough
 * to delete. Dropped rows keep their transcript as a `.deleted.` archive for one more retention period.
 */

export const DAY_MS = 86_400_000;

export interface MaintenanceOptions {
  /** Rows not updated for this many days are removed. */
  pruneAfterDays: number;
  /** After pruning, the least recently updated rows beyond this count are removed. */
  maxEntries: number;
  now?: number;
}

export interface MaintenancePlan {
  prune: string[];
  evict: string[];
}

/** Pure: the keys to prune (idle too long) and to evict (over the cap, oldest first). */
export function planMaintenance(
  entries: Map<string, SessionEntry>,
  opts: MaintenanceOptions,
  now: number,
): MaintenancePlan {
  const cutoff = now - opts.pruneAfterDays * DAY_MS;
  const prune: string[] = [];
  const kept: Array<[string, SessionEntry]> = [];
  for (const [key, entry] of entries) {
    if (entry.updatedAt < cutoff) prune.push(key);
    else kept.push([key, entry]);
  }
  const excess = kept.length - Math.max(0, opts.maxEntries);
  const evict =
    excess > 0
      ? kept
          .sort((a, b) => a[1].updatedAt - b[1].updatedAt || (a[0] < b[0] ? -1 : 1))
          .slice(0, excess)
          .map(([key]) => key)
      : [];
  return { prune, evict };
}

/**
 * Deletes `.reset.`/`.deleted.` archives archived before `cutoff`, and live transcripts that no row
 * references (left behind by policy rollovers) not written since `cutoff`.
 */
export async function removeExpiredFiles(
  sessionsDir: string,
  referenced: Set<string>,
  cutoff: number,
): Promise<{ archivesRemoved: string[]; orphansRemoved: string[] }> {
  const archivesRemoved: string[] = [];
  const orphansRemoved: string[] = [];
  for (const name of await readdir(sessionsDir)) {
    const archive = parseArchiveName(name);
    if (archive) {
      if (archive.at >= cutoff) continue;
      await rm(join(sessionsDir, name), { force: true });
      archivesRemoved.push(name);
      continue;
    }
    if (!name.endsWith(".jsonl") || referenced.has(name)) continue;
    const path = join(sessionsDir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || info.mtimeMs >= cutoff) continue;
    await rm(path, { force: true });
    orphansRemoved.push(name);
  }
  return { archivesRemoved: archivesRemoved.sort(), orphansRemoved: orphansRemoved.sort() };
}
