import type { Command } from "commander";

/** `pincer backup create|verify|restore|list`: consistent archives of the state folder, restorable in one command. */

async function context(dirFlag?: string) {
  const { resolveStatePaths } = await import("../config/paths.js");
  const { loadConfig } = await import("../config/load.js");
  const { defaultBackupDir } = await import("../ops/backup.js");
  const paths = resolveStatePaths(process.env);
  let configured: string | undefined;
  let includeLogs = false;
  try {
    const backup = (await loadConfig(paths.configPath, process.env)).config.backup;
    configured = backup?.dir;
    includeLogs = backup?.includeLogs ?? false;
  } catch {
    // A broken config must not stop a backup (it is often taken before fixing one).
  }
  return { paths, dir: dirFlag ?? configured ?? defaultBackupDir(paths.stateDir), includeLogs };
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

export function registerBackupCommands(program: Command): void {
  const backup = program.command("backup").description("back up and restore the state folder");

  backup
    .command("create")
    .description("write a consistent archive of the state folder (safe while the gateway runs)")
    .option("--dir <dir>", "where to write it (default: backup.dir, else <state folder>.backups)")
    .option("--include-logs", "also archive logs/")
    .option("--json", "print JSON")
    .action(async (flags: { dir?: string; includeLogs?: boolean; json?: boolean }) => {
      const { paths, dir, includeLogs } = await context(flags.dir);
      const { createBackup } = await import("../ops/backup.js");
      const result = await createBackup(paths, { dir, includeLogs: flags.includeLogs ?? includeLogs });
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(result, null, 2)}\n`
          : `Backed up ${result.files} files (${mb(result.bytes)}) to ${result.file}\n`,
      );
    });

  backup
    .command("verify <archive>")
    .description("read the whole archive and check every file against its checksum; exits 1 when damaged")
    .option("--json", "print JSON")
    .action(async (archive: string, flags: { json?: boolean }) => {
      const { verifyBackup } = await import("../ops/backup-restore.js");
      const result = await verifyBackup(archive);
      if (flags.json)
        process.stdout.write(
          `${JSON.stringify({ ok: result.ok, problems: result.problems, files: result.manifest?.files.length }, null, 2)}\n`,
        );
      else if (result.ok)
        process.stdout.write(
          `OK: ${result.manifest?.files.length} files, made ${result.manifest?.createdAt} by Pincer ${result.manifest?.pincerVersion}\n`,
        );
      else process.stdout.write(`FAILED: ${archive}\n${result.problems.map((p) => `  ${p}`).join("\n")}\n`);
      if (!result.ok) process.exitCode = 1;
    });

  backup
    .command("restore <archive>")
    .description("restore an archive into a fresh state folder (or, with --force, over the current one, kept aside)")
    .option("--to <dir>", "the state folder to restore into (default: the current one)")
    .option("--force", "restore over a non-empty folder, which is renamed to <dir>.pre-restore-<time>")
    .action(async (archive: string, flags: { to?: string; force?: boolean }) => {
      const { resolve } = await import("node:path");
      const { paths } = await context();
      const { restoreBackup } = await import("../ops/backup-restore.js");
      const { readGatewayLock } = await import("../ops/gateway-lock.js");
      const { PincerError } = await import("../errors.js");
      const target = flags.to ? resolve(flags.to) : paths.stateDir;
      const result = await restoreBackup(archive, target, {
        force: flags.force ?? false,
        assertStopped: async () => {
          const lock = await readGatewayLock(target);
          if (lock.state === "running") {
            throw new PincerError(
              "CONFLICT",
              `a gateway (pid ${lock.lock.pid}, port ${lock.lock.port}) is running on ${target}: stop it first, then restore`,
            );
          }
        },
      });
      process.stdout.write(
        `Restored ${result.files} files into ${result.target}.${result.previous ? ` The previous folder is at ${result.previous}.` : ""}\n` +
          `Start it with: PINCER_STATE_DIR=${result.target} pincer gateway (the vault key, if any, is not in backups: keep PINCER_VAULT_KEY or ${result.target}.vault-key)\n`,
      );
    });

  backup
    .command("list")
    .description("archives in the backup folder")
    .option("--dir <dir>", "the backup folder")
    .option("--json", "print JSON")
    .action(async (flags: { dir?: string; json?: boolean }) => {
      const { dir } = await context(flags.dir);
      const { listBackups } = await import("../ops/backup.js");
      const list = await listBackups(dir);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      if (list.length === 0) process.stdout.write(`No backups in ${dir}.\n`);
      for (const b of list)
        process.stdout.write(
          `${b.createdAt}  ${mb(b.bytes).padStart(9)}  ${b.file}${b.checksum ? "" : "  (no checksum file)"}\n`,
        );
    });
}
