import { join } from "node:path";
import type { ModelStreamEvent } from "../agent/turn.js";
import type { DayTotals, LedgerKey } from "../agent/usage-ledger.js";
import type { StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";
import type { AssistantMessage } from "../sessions/messages.js";
import type { BudgetCaps, BudgetsConfig } from "./budget-config.js";
import { BudgetNotices } from "./budget-notices.js";

/**
 * Spending caps, enforced before every model call: the agent loop's steps (so a tool loop stops between
 * steps), compaction summaries, heartbeat and cron turns alike, since all of them stream through
 * `budgetedStream`. Totals come from the usage ledger; a cap that is reached refuses the call (fail closed)
 * until its period rolls over. Operators hear about a reached cap and about warning thresholds once per period.
 */

export type BudgetPeriod = "daily" | "monthly";
export type BudgetUnit = "usd" | "tokens";

export interface BudgetStanding {
  scope: "global" | "agent";
  agentId?: string;
  period: BudgetPeriod;
  unit: BudgetUnit;
  limit: number;
  spent: number;
  /** `YYYY-MM-DD` (daily) or `YYYY-MM` (monthly), UTC. */
  periodId: string;
  /** When the period ends (ms since epoch). */
  resetsAt: number;
  /** Where the cap is written, for messages that tell a person what to change. */
  configPath: string;
}

export interface BudgetRefusal {
  code: "BUDGET_EXCEEDED";
  message: string;
  standing?: BudgetStanding;
}

export interface BudgetVerdict {
  refusal?: BudgetRefusal;
  /** Caps past a warning threshold (the highest threshold passed per cap). */
  warnings: { standing: BudgetStanding; threshold: number }[];
}

/** What budgets read from the usage ledger (src/agent/usage-ledger.ts). */
export interface LedgerView {
  daily(days: number, now?: number, filter?: (k: LedgerKey) => boolean): DayTotals[];
  readonly loaded: boolean;
}

const CAP_FIELDS = [
  ["dailyUsd", "daily", "usd"],
  ["monthlyUsd", "monthly", "usd"],
  ["dailyTokens", "daily", "tokens"],
  ["monthlyTokens", "monthly", "tokens"],
] as const satisfies readonly (readonly [keyof BudgetCaps, BudgetPeriod, BudgetUnit])[];

function periodOf(period: BudgetPeriod, now: number): { periodId: string; days: number; resetsAt: number } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (period === "daily") {
    return { periodId: d.toISOString().slice(0, 10), days: 1, resetsAt: Date.UTC(y, m, d.getUTCDate() + 1) };
  }
  return { periodId: d.toISOString().slice(0, 7), days: d.getUTCDate(), resetsAt: Date.UTC(y, m + 1, 1) };
}

function standingsFor(
  caps: BudgetCaps | undefined,
  ledger: LedgerView,
  now: number,
  agentId: string | undefined,
): BudgetStanding[] {
  if (!caps) return [];
  const out: BudgetStanding[] = [];
  const filter = agentId === undefined ? undefined : (k: LedgerKey) => k.agentId === agentId;
  for (const [field, period, unit] of CAP_FIELDS) {
    const limit = caps[field];
    if (limit === undefined) continue;
    const { periodId, days, resetsAt } = periodOf(period, now);
    let spent = 0;
    for (const day of ledger.daily(days, now, filter)) spent += unit === "usd" ? day.totalCost : day.totalTokens;
    out.push({
      scope: agentId === undefined ? "global" : "agent",
      ...(agentId === undefined ? {} : { agentId }),
      period,
      unit,
      limit,
      spent: unit === "usd" ? Math.round(spent * 1e8) / 1e8 : spent,
      periodId,
      resetsAt,
      configPath: agentId === undefined ? `budgets.global.${field}` : `budgets.agents.${agentId}.${field}`,
    });
  }
  return out;
}

/** Every cap that applies to `agentId`'s model calls: the global ones and the agent's own. */
export function budgetStandings(budgets: BudgetsConfig, ledger: LedgerView, agentId: string, now: number) {
  return [
    ...standingsFor(budgets.global, ledger, now, undefined),
    ...standingsFor(budgets.agents[agentId], ledger, now, agentId),
  ];
}

/** Every configured cap (global and each agent's), for reports. */
export function allBudgetStandings(budgets: BudgetsConfig, ledger: LedgerView, now: number): BudgetStanding[] {
  const out = standingsFor(budgets.global, ledger, now, undefined);
  for (const [agentId, caps] of Object.entries(budgets.agents)) out.push(...standingsFor(caps, ledger, now, agentId));
  return out;
}

export function formatAmount(unit: BudgetUnit, n: number): string {
  if (unit === "tokens") return `${Math.round(n).toLocaleString("en")} tokens`;
  return `$${n.toFixed(n !== 0 && Math.abs(n) < 1 ? 4 : 2)}`;
}

function whose(s: BudgetStanding): string {
  return s.scope === "global" ? "All agents together have" : `Agent "${s.agentId}" has`;
}

/** The sentence a refused user reads: what was spent, which cap, when it resets, what to change. */
export function refusalMessage(s: BudgetStanding): string {
  const resets = new Date(s.resetsAt).toISOString().replace("T", " ").slice(0, 16);
  return (
    `Budget reached: ${whose(s)} used ${formatAmount(s.unit, s.spent)} of the ${s.period} cap of ` +
    `${formatAmount(s.unit, s.limit)} (${s.configPath}). Model calls are paused until ${resets} UTC; ` +
    "raise the cap in pincer.json to continue sooner."
  );
}

/** Decides whether the next model call of `agentId` may go out, and which warnings are due. Pure. */
export function checkBudget(
  budgets: BudgetsConfig | undefined,
  ledger: LedgerView,
  agentId: string,
  now: number,
): BudgetVerdict {
  if (!budgets?.enabled) return { warnings: [] };
  const standings = budgetStandings(budgets, ledger, agentId, now);
  if (standings.length === 0) return { warnings: [] };
  if (!ledger.loaded) {
    // Fail closed: without totals there is no telling whether a cap is already reached.
    return {
      refusal: {
        code: "BUDGET_EXCEEDED",
        message:
          "Budget check failed: the usage ledger is not loaded yet, so model calls are refused; retry in a moment.",
      },
      warnings: [],
    };
  }
  const reached = standings.find((s) => s.spent >= s.limit);
  const thresholds = [...budgets.warnAt].sort((a, b) => b - a);
  const warnings: BudgetVerdict["warnings"] = [];
  for (const s of standings) {
    const threshold = thresholds.find((t) => s.spent >= t * s.limit);
    if (threshold !== undefined && s.spent < s.limit) warnings.push({ standing: s, threshold });
  }
  return reached
    ? { refusal: { code: "BUDGET_EXCEEDED", message: refusalMessage(reached), standing: reached }, warnings }
    : { warnings };
}

/** What the guard needs of the agent runtime (AgentRuntime satisfies it structurally). */
export interface BudgetHost {
  readonly config: PincerConfig;
  readonly ledger: LedgerView;
  readonly services: {
    readonly paths: StatePaths;
    readonly log: Logger;
    readonly events: { broadcast(event: string, payload: unknown): void };
  };
}

const noticesByHost = new WeakMap<BudgetHost, BudgetNotices>();

function noticesOf(host: BudgetHost): BudgetNotices {
  let notices = noticesByHost.get(host);
  if (!notices) {
    notices = new BudgetNotices(join(host.services.paths.stateDir, "budgets", "notices.json"));
    noticesByHost.set(host, notices);
  }
  return notices;
}

function noticeKey(kind: string, s: BudgetStanding): string {
  return [kind, s.scope, s.agentId ?? "", s.period, s.unit, s.periodId].join(":");
}

/** Tells operators (gateway log and a `budget` event) about a reached cap or a passed threshold, once per period. */
async function announce(host: BudgetHost, verdict: BudgetVerdict, sessionKey: string): Promise<void> {
  const notices = noticesOf(host);
  const { log, events } = host.services;
  for (const { standing, threshold } of verdict.warnings) {
    if (!(await notices.claim(noticeKey(`warn${threshold}`, standing)))) continue;
    const message = `${whose(standing)} used ${Math.round((standing.spent / standing.limit) * 100)}% of the ${standing.period} cap of ${formatAmount(standing.unit, standing.limit)} (${standing.configPath})`;
    log.warn({ budget: standing, threshold }, message);
    events.broadcast("budget", { state: "warning", threshold, message, ...standing });
  }
  const refused = verdict.refusal?.standing;
  if (refused && (await notices.claim(noticeKey("exceeded", refused)))) {
    log.warn({ budget: refused, sessionKey }, verdict.refusal?.message);
    events.broadcast("budget", { state: "exceeded", message: verdict.refusal?.message, sessionKey, ...refused });
  }
}

/** Failure kind of a refused model call (TurnResult.error.kind and the run outcome). */
export const BUDGET_FAILURE_KIND = "budget_exceeded";

function refusedDone(refusal: BudgetRefusal, now: number): ModelStreamEvent {
  // Recorded like a failed model call, so the transcript shows where and why the turn stopped. Its
  // origin is the gateway: the ledger records nothing for it and no provider is blamed.
  const message: AssistantMessage = {
    role: "assistant",
    content: [],
    stopReason: "error",
    errorMessage: refusal.message,
    provider: "pincer",
    model: "budget",
    timestamp: now,
  };
  return { type: "done", message, error: { kind: BUDGET_FAILURE_KIND, message: refusal.message } };
}

/**
 * Wraps a model stream so every call is checked against the budgets first. A refused call yields one
 * `done` event carrying the refusal as an error, which ends the agent loop the way a failed model call does.
 */
export function budgetedStream<R>(
  host: BudgetHost,
  run: { agentId: string; sessionKey: string },
  stream: (req: R) => AsyncIterable<ModelStreamEvent>,
): (req: R) => AsyncIterable<ModelStreamEvent> {
  const { agentId, sessionKey } = run;
  return async function* guarded(req: R) {
    const now = Date.now();
    const verdict = checkBudget(host.config.budgets, host.ledger, agentId, now);
    try {
      await announce(host, verdict, sessionKey);
    } catch (err) {
      host.services.log.warn({ err }, "sending a budget notice failed");
    }
    if (verdict.refusal) {
      yield refusedDone(verdict.refusal, now);
      return;
    }
    yield* stream(req);
  };
}
