import type { Command } from "commander";

/** `pincer service install|uninstall|status` and `pincer update`. */

/** How long a restarted service gets to answer /readyz. */
const READY_TIMEOUT_MS = 30_000;

async function specFor(name?: string) {
  const { resolveStatePaths } = await import("../config/paths.js");
  const { defaultServiceInputs, serviceSpec } = await import("../ops/service.js");
  const paths = resolveStatePaths(process.env);
  return { paths, spec: serviceSpec(defaultServiceInputs(paths, process.env, name)) };
}

async function waitReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

export function registerServiceCommands(program: Command): void {
  const service = program.command("service").description("run the gateway as a user service that restarts on failure");

  service
    .command("install")
    .description("write a systemd user unit (Linux) or launchd agent (macOS) and start it")
    .option("--name <name>", "service name (for several state folders)")
    .option("--no-start", "only write the file")
    .action(async (flags: { name?: string; start: boolean }) => {
      const { spec } = await specFor(flags.name);
      const { installService } = await import("../ops/service.js");
      if (process.env.PINCER_VAULT_KEY) {
        process.stderr.write(
          "note: PINCER_VAULT_KEY is not written into the service file; the service reads the key file beside the state folder instead\n",
        );
      }
      const result = await installService(spec, { start: flags.start });
      process.stdout.write(`Wrote ${spec.file}\n`);
      if (result.started) process.stdout.write(`Started ${spec.name}; it restarts on failure and at login.\n`);
      else if (result.problem) {
        process.stdout.write(`Could not start it: ${result.problem}\n`);
        process.exitCode = 1;
      }
      if (spec.kind === "systemd" && result.started) {
        process.stdout.write("To keep it running after you log out: loginctl enable-linger $USER\n");
      }
    });

  service
    .command("uninstall")
    .description("stop the service and remove its file")
    .option("--name <name>", "service name")
    .action(async (flags: { name?: string }) => {
      const { spec } = await specFor(flags.name);
      const { uninstallService } = await import("../ops/service.js");
      const result = await uninstallService(spec);
      if (!result.removed) process.stdout.write(`No service file at ${spec.file}.\n`);
      else
        process.stdout.write(
          `Removed ${spec.file}${result.problem ? ` (stopping it reported: ${result.problem})` : ""}.\n`,
        );
    });

  service
    .command("status")
    .description("whether the service is installed and running")
    .option("--name <name>", "service name")
    .option("--json", "print JSON")
    .action(async (flags: { name?: string; json?: boolean }) => {
      const { spec } = await specFor(flags.name);
      const { serviceStatus } = await import("../ops/service.js");
      const status = await serviceStatus(spec);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      if (!status.installed) {
        process.stdout.write(`Not installed (${spec.file}). Install with: pincer service install\n`);
        process.exitCode = 1;
        return;
      }
      const state = status.active === undefined ? "state unknown" : status.active ? "running" : "not running";
      process.stdout.write(
        `${status.name}: installed, ${state}${status.detail ? ` (${status.detail})` : ""}\n${status.file}\n`,
      );
      if (status.outdated)
        process.stdout.write("The file differs from what this pincer would write: run pincer service install again.\n");
      if (status.active === false) process.exitCode = 1;
    });

  program
    .command("update")
    .description("update Pincer with npm: back up first, check the new version's health, roll back if it fails")
    .option("--to <version>", "version or dist-tag to install", "latest")
    .option("--package <name>", "npm package name", "pincer")
    .option("--no-backup", "skip the backup")
    .option("--json", "print JSON")
    .action(async (flags: { to: string; package: string; backup: boolean; json?: boolean }) => {
      const { paths, spec } = await specFor();
      const { updatePincer } = await import("../ops/update.js");
      const { serviceStatus, restartService } = await import("../ops/service.js");
      const { PINCER_VERSION } = await import("../version.js");
      const installed = (await serviceStatus(spec)).installed;
      const readyUrl = async () => {
        const { loadConfig } = await import("../config/load.js");
        const port = (await loadConfig(paths.configPath, process.env)).config.gateway.port;
        return `http://127.0.0.1:${port}/readyz`;
      };
      const result = await updatePincer(
        { packageName: flags.package, to: flags.to, currentVersion: PINCER_VERSION },
        {
          npm: process.env.PINCER_NPM || "npm",
          env: process.env,
          log: (line) => {
            if (!flags.json) process.stdout.write(`${line}\n`);
          },
          ...(flags.backup
            ? {
                backup: async () => {
                  const { createBackup } = await import("../ops/backup.js");
                  return (await createBackup(paths)).file;
                },
              }
            : {}),
          ...(installed
            ? {
                restartService: async () => {
                  const r = await restartService(spec);
                  if (!r.ok) return { ok: false, detail: r.out };
                  const url = await readyUrl();
                  return (await waitReady(url, READY_TIMEOUT_MS))
                    ? { ok: true, detail: "" }
                    : { ok: false, detail: `${url} did not answer within ${READY_TIMEOUT_MS / 1000} s` };
                },
              }
            : {}),
        },
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (!result.ok)
        process.stdout.write(
          `Update failed${result.rolledBack ? `; rolled back to ${result.from}` : ""}: ${result.problem}\n`,
        );
      if (!result.ok) process.exitCode = 1;
    });
}
