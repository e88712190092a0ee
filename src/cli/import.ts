import type { Command } from "commander";

/** `pincer import openclaw [path]`: move from OpenClaw in one command. */
export function registerImportCommands(program: Command): void {
  const imp = program.command("import").description("bring in state from another assistant");
  imp
    .command("openclaw [path]")
    .description("import an OpenClaw state folder: config, workspaces, skills, cron jobs, allowlists, sessions")
    .option("--force", "replace an existing pincer.json (kept as pincer.json.pre-import-<time>)")
    .option("--keep-secrets-in-config", "leave API keys and tokens in pincer.json instead of the encrypted vault")
    .option("--json", "print the report as JSON")
    .action(
      async (path: string | undefined, flags: { force?: boolean; keepSecretsInConfig?: boolean; json?: boolean }) => {
        const { resolve, join } = await import("node:path");
        const { homedir } = await import("node:os");
        const { resolveStatePaths } = await import("../config/paths.js");
        const { importOpenClaw, formatImportReport } = await import("../ops/import/openclaw-import.js");
        const home = process.env.HOME?.trim() || homedir();
        const source = path ? resolve(path) : process.env.OPENCLAW_STATE_DIR?.trim() || join(home, ".openclaw");
        const report = await importOpenClaw({
          source,
          paths: resolveStatePaths(process.env),
          env: process.env,
          force: flags.force ?? false,
          keepSecretsInConfig: flags.keepSecretsInConfig ?? false,
        });
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatImportReport(report));
      },
    );
}
