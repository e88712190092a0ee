import type { StatePaths } from "../config/paths.js";
import type { Logger } from "../logging/logger.js";
import type { BackupConfig } from "./backup-config.js";

/**
 * Scheduled backups inside the running gateway (`backup.enabled`). A light timer; the archive code loads only
 * when a backup is due. Whether one is due is read from the archives on disk, so a restart neither skips one
 * nor takes an extra one.
 */

/** How often the gateway looks whether a backup is due (far finer than any sensible `everyHours`). */
const CHECK_INTERVAL_MS = 10 * 60_000;
/** The first look waits a little, so start-up is not slowed by a backup. */
const FIRST_CHECK_MS = 60_000;

export interface ScheduleDeps {
  config: () => BackupConfig | undefined;
  paths: StatePaths;
  log: Logger;
  /** Records the backup in the audit log. */
  record?: (type: string, data: Record<string, unknown>) => void;
}

/** Takes a backup when the newest archive is older than `everyHours`; returns the new archive, if any. */
export async function backupIfDue(deps: ScheduleDeps, now = Date.now()): Promise<string | undefined> {
  const cfg = deps.config();
  if (!cfg?.enabled) return undefined;
  const { createBackup, defaultBackupDir, listBackups, pruneBackups } = await import("./backup.js");
  const dir = cfg.dir ?? defaultBackupDir(deps.paths.stateDir);
  const newest = (await listBackups(dir)).at(-1);
  if (newest && now - Date.parse(newest.createdAt) < cfg.everyHours * 3_600_000) return undefined;
  const result = await createBackup(deps.paths, { dir, includeLogs: cfg.includeLogs, now: new Date(now) });
  const pruned = await pruneBackups(dir, cfg.keep);
  deps.log.info(
    { file: result.file, files: result.files, bytes: result.bytes, pruned: pruned.length },
    "scheduled backup written",
  );
  deps.record?.("backup.create", {
    file: result.file,
    files: result.files,
    bytes: result.bytes,
    sha256: result.sha256,
    scheduled: true,
  });
  return result.file;
}

export function scheduleBackups(deps: ScheduleDeps, signal: AbortSignal): void {
  let running = false;
  const tick = async () => {
    if (running || signal.aborted) return;
    running = true;
    try {
      await backupIfDue(deps);
    } catch (err) {
      deps.log.error({ err }, "scheduled backup failed");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), FIRST_CHECK_MS);
  const every = setInterval(() => void tick(), CHECK_INTERVAL_MS);
  first.unref();
  every.unref();
  signal.addEventListener("abort", () => {
    clearTimeout(first);
    clearInterval(every);
  });
}
