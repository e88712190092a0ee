import { z } from "zod";
import { agentOf } from "./agent-access.js";
import { defineMethod } from "./types.js";

export const modelsListMethod = defineMethod({
  name: "models.list",
  scope: "operator.read",
  params: z.looseObject({ refresh: z.boolean().optional() }),
  handler: async (p, { services }) => {
    const router = agentOf(services).router;
    if (p.refresh) await router.refreshLocalModels();
    return { models: router.list() };
  },
});

export const usageStatusMethod = defineMethod({
  name: "usage.status",
  scope: "operator.read",
  params: z.looseObject({}),
  handler: (_p, { services }) => {
    const runtime = agentOf(services);
    const month = runtime.ledger.daily(31);
    const [today] = runtime.ledger.daily(1);
    const sum = (field: "totalCost" | "totalTokens") => month.reduce((n, d) => n + d[field], 0);
    return {
      ts: Date.now(),
      providers: runtime.router.status(),
      model: runtime.modelStatus(),
      today,
      last31Days: { totalCost: Math.round(sum("totalCost") * 1e8) / 1e8, totalTokens: sum("totalTokens") },
    };
  },
});

export const usageCostMethod = defineMethod({
  name: "usage.cost",
  scope: "operator.read",
  params: z.looseObject({ days: z.number().int().min(1).max(62).optional() }),
  handler: (p, { services }) => {
    const ledger = agentOf(services).ledger;
    const days = p.days ?? 30;
    const daily = ledger.daily(days);
    const totals = daily.reduce(
      (t, d) => ({
        input: t.input + d.input,
        output: t.output + d.output,
        cacheRead: t.cacheRead + d.cacheRead,
        cacheWrite: t.cacheWrite + d.cacheWrite,
        totalTokens: t.totalTokens + d.totalTokens,
        totalCost: t.totalCost + d.totalCost,
        calls: t.calls + d.calls,
      }),
      { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, totalCost: 0, calls: 0 },
    );
    totals.totalCost = Math.round(totals.totalCost * 1e8) / 1e8;
    return {
      updatedAt: Date.now(),
      days,
      daily,
      totals,
      byModel: ledger.groupBy("model", days),
      byAgent: ledger.groupBy("agentId", days),
      byChannel: ledger.groupBy("channel", days),
    };
  },
});
