import type { Command } from "commander";

/** `pincer usage`: spending by day, agent, model and channel, and where each budget stands. Read from disk. */
export function registerUsageCommands(program: Command): void {
  program
    .command("usage")
    .description("model usage and cost by day, agent, model and channel, with budget standings")
    .option("--days <n>", "how many days back (UTC days, at most 62)", "30")
    .option("--json", "print JSON")
    .action(async (flags: { days: string; json?: boolean }) => {
      const days = Number(flags.days);
      if (!Number.isInteger(days) || days < 1 || days > 62)
        throw new Error(`--days must be an integer from 1 to 62, got "${flags.days}"`);
      const { resolveStatePaths } = await import("../config/paths.js");
      const { loadConfig } = await import("../config/load.js");
      const { buildUsageReport, formatUsageReport } = await import("../ops/usage-report.js");
      const paths = resolveStatePaths(process.env);
      let budgets: import("../ops/budget-config.js").BudgetsConfig | undefined;
      try {
        budgets = (await loadConfig(paths.configPath, process.env)).config.budgets;
      } catch (err) {
        // Spending is still worth seeing when the config is broken; only the budget lines are missing.
        process.stderr.write(`pincer: budgets not shown: ${(err as Error).message}\n`);
      }
      const report = await buildUsageReport(paths, budgets, days);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatUsageReport(report));
    });
}
