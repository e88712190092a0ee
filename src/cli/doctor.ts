import type { Command } from "commander";

/** `pincer doctor [--fix] [--json]`: find and repair what keeps the gateway from working on this machine. */
export function registerDoctorCommands(program: Command): void {
  program
    .command("doctor")
    .description(
      "check config, state folder, providers, channels, sandbox, port and service; --fix repairs what is safe",
    )
    .option("--fix", "repair permissions, stale locks and temp files, missing folders")
    .option("--offline", "skip checks that use the network (provider keys)")
    .option("--json", "print JSON")
    .action(async (flags: { fix?: boolean; offline?: boolean; json?: boolean }) => {
      const { resolveStatePaths } = await import("../config/paths.js");
      const { runDoctor } = await import("../ops/doctor.js");
      const { formatReport } = await import("../ops/findings.js");
      const paths = resolveStatePaths(process.env);
      const report = await runDoctor(paths, process.env, { fix: flags.fix ?? false, offline: flags.offline ?? false });
      process.stdout.write(
        flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(`pincer doctor — ${paths.stateDir}`, report),
      );
      if (!report.ok) process.exitCode = 1;
    });
}
