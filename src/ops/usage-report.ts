import { join } from "node:path";
import { UsageLedger } from "../agent/usage-ledger.js";
import type { StatePaths } from "../config/paths.js";
import type { BudgetsConfig } from "./budget-config.js";
import { allBudgetStandings, type BudgetStanding, formatAmount } from "./budgets.js";

/** The usage ledger lives here (src/agent/runtime.ts opens the same folder). */
export const usageDir = (paths: StatePaths) => join(paths.stateDir, "usage");

type Group = Record<string, { totalTokens: number; totalCost: number; calls: number }>;

export interface UsageReport {
  days: number;
  daily: ReturnType<UsageLedger["daily"]>;
  totals: ReturnType<typeof UsageLedger.total>;
  byAgent: Group;
  byModel: Group;
  byChannel: Group;
  budgets: BudgetStanding[];
}

/** Usage over the last `days` days (UTC), read from the ledger files, with every configured cap's standing. */
export async function buildUsageReport(
  paths: StatePaths,
  budgets: BudgetsConfig | undefined,
  days: number,
  now = Date.now(),
): Promise<UsageReport> {
  const ledger = new UsageLedger(usageDir(paths));
  await ledger.load(now);
  const daily = ledger.daily(days, now);
  return {
    days,
    daily,
    totals: UsageLedger.total(daily),
    byAgent: ledger.groupBy("agentId", days, now),
    byModel: ledger.groupBy("model", days, now),
    byChannel: ledger.groupBy("channel", days, now),
    budgets: budgets ? allBudgetStandings(budgets, ledger, now) : [],
  };
}

const money = (n: number) => formatAmount("usd", n);
const tokens = (n: number) => Math.round(n).toLocaleString("en");

function groupLines(title: string, group: Group): string[] {
  const rows = Object.entries(group).sort(
    (a, b) => b[1].totalCost - a[1].totalCost || b[1].totalTokens - a[1].totalTokens,
  );
  if (rows.length === 0) return [];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    "",
    title,
    ...rows.map(
      ([k, v]) =>
        `  ${k.padEnd(width)}  ${money(v.totalCost).padStart(10)}  ${tokens(v.totalTokens).padStart(12)} tokens  ${v.calls} calls`,
    ),
  ];
}

/** The report as a person reads it in a terminal. */
export function formatUsageReport(r: UsageReport): string {
  const lines = [
    `Usage, last ${r.days} day(s) (UTC): ${money(r.totals.totalCost)}, ${tokens(r.totals.totalTokens)} tokens, ${r.totals.calls} model calls`,
    "",
    "By day",
    ...r.daily
      .filter((d) => d.calls > 0)
      .map(
        (d) =>
          `  ${d.date}  ${money(d.totalCost).padStart(10)}  ${tokens(d.totalTokens).padStart(12)} tokens  ${d.calls} calls`,
      ),
  ];
  if (r.totals.calls === 0) lines.push("  (no model calls recorded)");
  lines.push(
    ...groupLines("By agent", r.byAgent),
    ...groupLines("By model", r.byModel),
    ...groupLines("By channel", r.byChannel),
  );
  if (r.budgets.length > 0) {
    lines.push("", "Budgets");
    for (const s of r.budgets) {
      const who = s.scope === "global" ? "global" : `agent ${s.agentId}`;
      const pct = Math.round((s.spent / s.limit) * 100);
      const state = s.spent >= s.limit ? "  REACHED: model calls refused" : "";
      lines.push(
        `  ${who} ${s.period} ${s.unit}: ${formatAmount(s.unit, s.spent)} of ${formatAmount(s.unit, s.limit)} (${pct}%)${state}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
