import { z } from "zod";

/**
 * `budgets` in pincer.json: spending caps that fail closed. Periods are UTC days and UTC calendar months,
 * the same days the usage ledger files by, so a cap and `pincer usage` always agree on what was spent.
 */
export const BudgetCapsSchema = z.strictObject({
  dailyUsd: z.number().positive().optional(),
  monthlyUsd: z.number().positive().optional(),
  dailyTokens: z.number().int().positive().optional(),
  monthlyTokens: z.number().int().positive().optional(),
});
export type BudgetCaps = z.infer<typeof BudgetCapsSchema>;

export const BudgetsConfigSchema = z.strictObject({
  /** false keeps the caps written down but stops enforcing them. */
  enabled: z.boolean().default(true),
  /** Caps on every agent together. */
  global: BudgetCapsSchema.optional(),
  /** Caps per agent id, on top of the global ones. */
  agents: z.record(z.string().min(1), BudgetCapsSchema).default({}),
  /** Shares of a cap at which operators are warned, each once per period. */
  warnAt: z.array(z.number().gt(0).lt(1)).default([0.8]),
});
export type BudgetsConfig = z.infer<typeof BudgetsConfigSchema>;
