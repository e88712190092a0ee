import type { Usage } from "../sessions/messages.js";

/**
 * Token counts and their price. Pure functions only: the stream fills token counts from the provider,
 * the catalog supplies the pricing, and this file turns the two into USD.
 */

/** USD per million tokens, the unit every price list and pincer.json use. */
export interface TokenRates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * Rates for one model. Some providers charge the whole request at a higher rate once the prompt passes a
 * size (Anthropic and Google above 200k input tokens, OpenAI above 272k); `tiers` holds those steps.
 */
export interface ModelPricing extends TokenRates {
  tiers?: ReadonlyArray<{ aboveInputTokens: number } & TokenRates>;
}

export interface TokenCounts {
  /** Uncached prompt tokens. */
  input: number;
  /** Completion tokens, reasoning included. */
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Reasoning tokens, already counted in `output`; kept for display. */
  reasoning: number;
}

const TOKENS_PER_MILLION = 1_000_000;

export const ZERO_RATES: ModelPricing = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

export function emptyUsage(): Usage {
  return {
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    reasoning: 0,
    totalTokens: 0,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
  };
}

/** The rates that apply to a request of this size: the highest tier whose threshold the prompt passes. */
export function ratesFor(pricing: ModelPricing, promptTokens: number): TokenRates {
  let rates: TokenRates = pricing;
  for (const tier of pricing.tiers ?? []) {
    if (promptTokens > tier.aboveInputTokens) rates = tier;
  }
  return rates;
}

/** Rounds away float noise (0.1 + 0.2) without losing sub-cent precision that sums over many turns. */
function usd(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

function sanitize(count: number): number {
  return Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
}

/** Usage with cost for one model call. Negative or non-finite counts (bad provider data) count as zero. */
export function priceUsage(counts: TokenCounts, pricing: ModelPricing): Usage {
  const input = sanitize(counts.input);
  const output = sanitize(counts.output);
  const cacheRead = sanitize(counts.cacheRead);
  const cacheWrite = sanitize(counts.cacheWrite);
  const reasoning = sanitize(counts.reasoning);
  const rates = ratesFor(pricing, input + cacheRead + cacheWrite);
  const cost = {
    input: usd((input * rates.input) / TOKENS_PER_MILLION),
    output: usd((output * rates.output) / TOKENS_PER_MILLION),
    cacheRead: usd((cacheRead * rates.cacheRead) / TOKENS_PER_MILLION),
    cacheWrite: usd((cacheWrite * rates.cacheWrite) / TOKENS_PER_MILLION),
    total: 0,
  };
  cost.total = usd(cost.input + cost.output + cost.cacheRead + cost.cacheWrite);
  return {
    input,
    output,
    cacheRead,
    cacheWrite,
    reasoning,
    totalTokens: input + output + cacheRead + cacheWrite,
    cost,
  };
}

/** Sum of two usages (a turn with several model calls, a session, a day). */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    reasoning: a.reasoning + b.reasoning,
    totalTokens: a.totalTokens + b.totalTokens,
    cost: {
      input: usd(a.cost.input + b.cost.input),
      output: usd(a.cost.output + b.cost.output),
      cacheRead: usd(a.cost.cacheRead + b.cost.cacheRead),
      cacheWrite: usd(a.cost.cacheWrite + b.cost.cacheWrite),
      total: usd(a.cost.total + b.cost.total),
    },
  };
}

export function sumUsage(usages: Iterable<Usage>): Usage {
  let total = emptyUsage();
  for (const usage of usages) total = addUsage(total, usage);
  return total;
}
