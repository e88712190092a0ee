import { z } from "zod";
import { UsageLedger } from "../../agent/usage-ledger.js";
import type { PincerConfig } from "../../config/schema.js";
import type { ModelChoice } from "../../models/model-choices.js";
import { agentOf } from "./agent-access.js";
import { defineMethod } from "./types.js";

/** The "provider/model" refs the config names as agents' primaries and fallbacks. */
function configuredRefs(config: PincerConfig): Set<string> {
  const refs = new Set<string>();
  for (const model of [config.agents.defaults.model, ...config.agents.list.map((a) => a.model)]) {
    if (typeof model === "string") refs.add(model);
    else if (model) for (const ref of [model.primary, ...model.fallbacks]) if (ref) refs.add(ref);
  }
  return refs;
}

/**
 * OpenClaw's views: "default" (Pincer has no model allowlist, so the whole catalog) and "all" list everything;
 * "configured" keeps usable models and the ones agents name; "provider-config" the rows of models.providers.
 */
export function modelsView(models: ModelChoice[], view: string | undefined, config: PincerConfig): ModelChoice[] {
  if (view === "configured") {
    const named = configuredRefs(config);
    return models.filter((m) => m.available || named.has(`${m.provider}/${m.id}`));
  }
  if (view === "provider-config") {
    const authored = config.models.providers;
    return models.filter((m) => authored[m.provider]?.models.some((row) => row.id === m.id));
  }
  return models;
}

export const modelsListMethod = defineMethod({
  name: "models.list",
  scope: "operator.read",
  params: z.looseObject({
    refresh: z.boolean().optional(),
    view: z.enum(["default", "configured", "provider-config", "all"]).optional(),
  }),
  handler: async (p, { services }) => {
    const router = agentOf(services).router;
    if (p.refresh) await router.refreshLocalModels();
    return { models: modelsView(router.list(), p.view, services.config.current.config) };
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
