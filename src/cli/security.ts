import type { Command } from "commander";

/** `pincer security audit [--deep] [--fix] [--json]`: settings and files that make the gateway easy to abuse. */
export function registerSecurityCommands(program: Command): void {
  const security = program.command("security").description("security checks of this gateway's settings and files");
  security
    .command("audit")
    .description("flag risky settings (exposure, tokens, open DMs with exec, sandbox, permissions, unscanned skills)")
    .option("--deep", "also walk every file of the state folder and scan skills that have no scan record")
    .option("--fix", "repair file permissions (settings are only reported: changing them could lock you out)")
    .option("--json", "print JSON")
    .action(async (flags: { deep?: boolean; fix?: boolean; json?: boolean }) => {
      const { resolveStatePaths } = await import("../config/paths.js");
      const { runSecurityAudit } = await import("../ops/security-report.js");
      const { formatReport } = await import("../ops/findings.js");
      const paths = resolveStatePaths(process.env);
      const report = await runSecurityAudit(paths, process.env, { deep: flags.deep ?? false, fix: flags.fix ?? false });
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : formatReport(`pincer security audit — ${paths.stateDir}`, report),
      );
      if (report.findings.some((f) => f.severity === "critical" && f.fixed !== true)) process.exitCode = 1;
    });
}
