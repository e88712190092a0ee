import { z } from "zod";
import { UsageLedger } from "../../agent/usage-ledger.js";
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
    const month = UsageLedger.total(runtime.ledger.daily(31));
    const [today] = runtime.ledger.daily(1);
    return {
      ts: Date.now(),
      providers: runtime.router.status(),
      model: runtime.modelStatus(),
      today,
      last31Days: { totalCost: month.totalCost, totalTokens: month.totalTokens, calls: month.calls },
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
    const totals = UsageLedger.total(daily);
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
