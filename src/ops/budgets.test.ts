import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ModelStreamEvent } from "../agent/turn.js";
import { UsageLedger } from "../agent/usage-ledger.js";
import { resolveStatePaths } from "../config/paths.js";
import { PincerConfigSchema } from "../config/schema.js";
import type { Usage } from "../sessions/messages.js";
import { type BudgetsConfig, BudgetsConfigSchema } from "./budget-config.js";
import { type BudgetHost, budgetedStream, checkBudget } from "./budgets.js";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const DAY_MS = 86_400_000;
const RUN = { agentId: "main", sessionKey: "agent:main:main" };

function usage(tokens: number, cost: number): Usage {
  return {
    input: tokens,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    reasoning: 0,
    totalTokens: tokens,
    cost: { input: cost, output: 0, cacheRead: 0, cacheWrite: 0, total: cost },
  };
}

const budgets = (input: unknown): BudgetsConfig => BudgetsConfigSchema.parse(input);

let dir: string;
let ledger: UsageLedger;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pincer-budgets-"));
  ledger = new UsageLedger(join(dir, "usage"));
  await ledger.load(NOW);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function spend(ts: number, tokens: number, cost: number, agentId = "main") {
  await ledger.record(
    { ts, agentId, sessionKey: `agent:${agentId}:main`, provider: "p", model: "m" },
    usage(tokens, cost),
  );
}

describe("checkBudget", () => {
  it("allows everything when no budgets are configured or they are disabled", async () => {
    await spend(NOW, 1_000_000, 1000);
    expect(checkBudget(undefined, ledger, "main", NOW)).toEqual({ warnings: [] });
    expect(checkBudget(budgets({ enabled: false, global: { dailyUsd: 1 } }), ledger, "main", NOW)).toEqual({
      warnings: [],
    });
  });

  it("refuses once the global daily USD cap is reached, naming the cap and when it resets", async () => {
    await spend(NOW - 1000, 100, 0.6);
    const cfg = budgets({ global: { dailyUsd: 1 } });
    expect(checkBudget(cfg, ledger, "main", NOW).refusal).toBeUndefined();
    await spend(NOW - 500, 100, 0.4);
    const verdict = checkBudget(cfg, ledger, "main", NOW);
    expect(verdict.refusal?.code).toBe("BUDGET_EXCEEDED");
    expect(verdict.refusal?.standing).toMatchObject({
      scope: "global",
      period: "daily",
      unit: "usd",
      spent: 1,
      limit: 1,
    });
    expect(verdict.refusal?.message).toContain("budgets.global.dailyUsd");
    expect(verdict.refusal?.message).toContain("2026-03-11 00:00 UTC");
    // Yesterday's spending does not count against today's cap.
    expect(checkBudget(cfg, ledger, "main", NOW + DAY_MS).refusal).toBeUndefined();
  });

  it("counts an agent's monthly tokens over this calendar month only, and only that agent's calls", async () => {
    await spend(Date.parse("2026-02-27T10:00:00Z"), 5000, 0); // last month
    await spend(Date.parse("2026-03-01T10:00:00Z"), 400, 0);
    await spend(Date.parse("2026-03-09T10:00:00Z"), 500, 0);
    await spend(Date.parse("2026-03-09T11:00:00Z"), 9000, 0, "other");
    const cfg = budgets({ agents: { main: { monthlyTokens: 1000 } } });
    const ok = checkBudget(cfg, ledger, "main", NOW);
    expect(ok.refusal).toBeUndefined();
    expect(ok.warnings).toEqual([
      { standing: expect.objectContaining({ spent: 900, periodId: "2026-03" }), threshold: 0.8 },
    ]);
    // The other agent has no cap of its own, and main's cap does not apply to it.
    expect(checkBudget(cfg, ledger, "other", NOW)).toEqual({ warnings: [] });
    await spend(NOW - 1000, 100, 0);
    const refused = checkBudget(cfg, ledger, "main", NOW);
    expect(refused.refusal?.message).toMatch(/Agent "main" has used 1,000 tokens of the monthly cap of 1,000 tokens/);
    expect(refused.refusal?.message).toContain("2026-04-01 00:00 UTC");
  });

  it("reports the highest warning threshold passed per cap", async () => {
    await spend(NOW, 96, 0);
    const verdict = checkBudget(
      budgets({ global: { dailyTokens: 100 }, warnAt: [0.5, 0.95, 0.8] }),
      ledger,
      "main",
      NOW,
    );
    expect(verdict.warnings.map((w) => w.threshold)).toEqual([0.95]);
  });

  it("fails closed when the ledger has not been loaded", () => {
    const unloaded = new UsageLedger(join(dir, "nowhere"));
    const verdict = checkBudget(budgets({ global: { dailyUsd: 100 } }), unloaded, "main", NOW);
    expect(verdict.refusal?.message).toMatch(/usage ledger is not loaded/);
  });

  it("is validated as part of pincer.json", () => {
    expect(PincerConfigSchema.safeParse({ budgets: { global: { dailyUsd: -1 } } }).success).toBe(false);
    expect(PincerConfigSchema.safeParse({ budgets: { warnAt: [1.5] } }).success).toBe(false);
    expect(PincerConfigSchema.safeParse({ budgets: { global: { dailyTokens: 1.5 } } }).success).toBe(false);
    expect(PincerConfigSchema.safeParse({ budgets: { global: { daily: 5 } } }).success).toBe(false);
    const ok = PincerConfigSchema.parse({ budgets: { agents: { main: { monthlyUsd: 20 } } } });
    expect(ok.budgets).toEqual({ enabled: true, agents: { main: { monthlyUsd: 20 } }, warnAt: [0.8] });
  });
});

describe("budgetedStream", () => {
  function host(cfg: unknown, broadcasts: unknown[]): BudgetHost {
    return {
      config: PincerConfigSchema.parse({ budgets: cfg }),
      ledger,
      services: {
        paths: resolveStatePaths({ PINCER_STATE_DIR: dir }),
        log: pino({ level: "silent" }),
        events: { broadcast: (event, payload) => broadcasts.push({ event, payload }) },
      },
    };
  }

  async function collect(iter: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
    const out: ModelStreamEvent[] = [];
    for await (const ev of iter) out.push(ev);
    return out;
  }

  it("passes calls through below the caps and refuses without calling the model once a cap is reached", async () => {
    const broadcasts: unknown[] = [];
    let calls = 0;
    const model = async function* (): AsyncIterable<ModelStreamEvent> {
      calls += 1;
      yield { type: "text_delta", delta: "hi" };
    };
    const guarded = budgetedStream(host({ global: { dailyTokens: 100 } }, broadcasts), RUN, model);
    expect(await collect(guarded({}))).toEqual([{ type: "text_delta", delta: "hi" }]);
    await spend(Date.now(), 150, 0);
    const refused = await collect(guarded({}));
    expect(calls).toBe(1);
    expect(refused).toHaveLength(1);
    const done = refused[0] as Extract<ModelStreamEvent, { type: "done" }>;
    expect(done.error?.kind).toBe("budget_exceeded");
    expect(done.message.stopReason).toBe("error");
    expect(done.message.errorMessage).toMatch(/^Budget reached: All agents together have used 150 tokens/);
    // A second refusal in the same period sends no second notice.
    await collect(guarded({}));
    expect(broadcasts).toEqual([
      { event: "budget", payload: expect.objectContaining({ state: "exceeded", scope: "global", spent: 150 }) },
    ]);
  });

  it("remembers sent notices across restarts (a new host reads them from the state folder)", async () => {
    await spend(Date.now(), 90, 0);
    const model = async function* (): AsyncIterable<ModelStreamEvent> {};
    const first: unknown[] = [];
    await collect(budgetedStream(host({ global: { dailyTokens: 100 } }, first), RUN, model)({}));
    expect(first).toEqual([
      { event: "budget", payload: expect.objectContaining({ state: "warning", threshold: 0.8 }) },
    ]);
    const second: unknown[] = [];
    await collect(budgetedStream(host({ global: { dailyTokens: 100 } }, second), RUN, model)({}));
    expect(second).toEqual([]);
  });
});
