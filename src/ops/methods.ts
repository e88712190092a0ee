import { z } from "zod";
import { agentOf } from "../gateway/methods/agent-access.js";
import { defineMethod } from "../gateway/methods/types.js";
import { allBudgetStandings } from "./budgets.js";

/**
 * `usage.budgets`: where every configured cap stands right now (what `pincer usage` prints under "Budgets"),
 * for the Control UI beside `usage.cost`.
 */
export const usageBudgetsMethod = defineMethod({
  name: "usage.budgets",
  scope: "operator.read",
  params: z.looseObject({}),
  handler: (_p, { services }) => {
    const runtime = agentOf(services);
    const budgets = runtime.config.budgets;
    return {
      ts: Date.now(),
      enabled: budgets?.enabled ?? false,
      warnAt: budgets?.warnAt ?? [],
      standings: budgets ? allBudgetStandings(budgets, runtime.ledger, Date.now()) : [],
    };
  },
});
