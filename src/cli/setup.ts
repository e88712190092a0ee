import type { Command } from "commander";

/**
 * `pincer setup`: create the state folder and every configured agent's workspace with its template files
 * (AGENTS.md, SOUL.md, …). Existing files are kept, so running it again only fills in what is missing.
 */
export function registerSetupCommands(program: Command): void {
  program
    .command("setup")
    .description("create the state folder and each agent's workspace (AGENTS.md, SOUL.md, MEMORY.md, …)")
    .option(
      "--workspace <dir>",
      "use this folder as the default agent's workspace (saved as agents.defaults.workspace)",
    )
    .option("--json", "print JSON")
    .action(async (flags: { workspace?: string; json?: boolean }) => {
      const { runSetup } = await import("./setup-run.js");
      const result = await runSetup({ env: process.env, ...(flags.workspace ? { workspace: flags.workspace } : {}) });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [
        `state ${result.stateDir}`,
        `config ${result.configPath}${result.configWritten ? " (updated)" : ""}`,
      ];
      for (const ws of result.workspaces) {
        lines.push(
          `agent ${ws.agentId}: ${ws.dir} — ${ws.created.length > 0 ? `created ${ws.created.join(", ")}` : "all files already present"}`,
        );
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
