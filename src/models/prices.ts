import { z } from "zod";
import type { ModelPricing, TokenRates } from "./usage.js";

/**
 * Where model prices come from, USD per million tokens.
 *
 * 1. The maintained table of `@pydantic/genai-prices` (MIT, no dependencies, bundled data, no network),
 *    when that package is installed; it is loaded lazily because it is ~800 kB of JavaScript.
 * 2. Otherwise the small curated table below, covering the built-in default models, so a fresh install
 *    still reports costs for the models it picks by itself.
 * A `cost` in pincer.json beats both (see catalog.ts).
 */

export const CURATED_PRICES: Readonly<Record<string, Readonly<Record<string, ModelPricing>>>> = {
  anthropic: {
    "claude-sonnet-4-6": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    "claude-sonnet-4-5": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    "claude-opus-4-6": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    "claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  },
  openai: {
    "gpt-5.4": {
      input: 2.5,
      output: 15,
      cacheRead: 0.25,
      cacheWrite: 0,
      tiers: [{ aboveInputTokens: 271_999, input: 5, output: 22.5, cacheRead: 0.5, cacheWrite: 0 }],
    },
    "gpt-5.4-mini": { input: 0.75, output: 4.5, cacheRead: 0.075, cacheWrite: 0 },
    "gpt-4.1": { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 0 },
  },
  google: {
    "gemini-2.5-flash": { input: 0.3, output: 2.5, cacheRead: 0.03, cacheWrite: 0 },
    "gemini-2.5-pro": {
      input: 1.25,
      output: 10,
      cacheRead: 0.125,
      cacheWrite: 0,
      tiers: [{ aboveInputTokens: 200_000, input: 2.5, output: 15, cacheRead: 0.25, cacheWrite: 0 }],
    },
    "gemini-3-flash-preview": { input: 0.5, output: 3, cacheRead: 0.05, cacheWrite: 0 },
  },
  openrouter: {
    "anthropic/claude-sonnet-4.6": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    "google/gemini-2.5-flash": { input: 0.3, output: 2.5, cacheRead: 0.075, cacheWrite: 0.3833 },
  },
};

export function curatedPricing(provider: string, model: string): ModelPricing | undefined {
  return CURATED_PRICES[provider]?.[model];
}

/** What the maintained table knows about one model. */
export interface ExternalModelInfo {
  pricing: ModelPricing;
  contextWindow?: number;
}

export type ExternalPriceLookup = (provider: string, model: string) => ExternalModelInfo | undefined;

const GENAI_PRICES_MODULE = "@pydantic/genai-prices";

const RateSchema = z.union([
  z.number().nonnegative(),
  z.object({
    base: z.number().nonnegative(),
    tiers: z.array(z.object({ start: z.number().nonnegative(), price: z.number().nonnegative() })),
  }),
]);
type Rate = z.infer<typeof RateSchema>;

const CalcResultSchema = z.object({
  model: z.object({ context_window: z.number().int().positive().optional() }),
  model_price: z.object({
    input_mtok: RateSchema.optional(),
    output_mtok: RateSchema.optional(),
    cache_read_mtok: RateSchema.optional(),
    cache_write_mtok: RateSchema.optional(),
  }),
});

type CalcPrice = (usage: Record<string, number>, modelId: string, options: { providerId: string }) => unknown;
const GenaiPricesModuleSchema = z.object({
  calcPrice: z.custom<CalcPrice>((value) => typeof value === "function"),
});

function rateAt(rate: Rate | undefined, promptTokens: number): number {
  if (rate === undefined) return 0;
  if (typeof rate === "number") return rate;
  let price = rate.base;
  for (const tier of rate.tiers) if (promptTokens > tier.start) price = tier.price;
  return price;
}

/** genai-prices tiers each rate separately; ours tier the whole rate set at shared thresholds. */
export function pricingFromGenaiPrices(price: z.infer<typeof CalcResultSchema>["model_price"]): ModelPricing {
  const rates = [price.input_mtok, price.output_mtok, price.cache_read_mtok, price.cache_write_mtok];
  const at = (promptTokens: number): TokenRates => ({
    input: rateAt(price.input_mtok, promptTokens),
    output: rateAt(price.output_mtok, promptTokens),
    cacheRead: rateAt(price.cache_read_mtok, promptTokens),
    cacheWrite: rateAt(price.cache_write_mtok, promptTokens),
  });
  const starts = new Set<number>();
  for (const rate of rates)
    if (rate !== undefined && typeof rate !== "number") for (const t of rate.tiers) starts.add(t.start);
  const base: ModelPricing = at(0);
  if (starts.size === 0) return base;
  // A prompt of start+1 tokens is the first one the tier applies to.
  const tiers = [...starts].sort((a, b) => a - b).map((start) => ({ aboveInputTokens: start, ...at(start + 1) }));
  return { ...base, tiers };
}

/** OpenRouter and Ollama ids differ from the vendors'; the table knows OpenRouter, not local models. */
function lookupWith(calcPrice: CalcPrice): ExternalPriceLookup {
  return (provider, model) => {
    if (provider === "ollama") return undefined;
    let raw: unknown;
    try {
      raw = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: provider });
    } catch {
      // The package throws on data it cannot interpret (an unknown price constraint): no price then.
      return undefined;
    }
    const parsed = CalcResultSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    const info: ExternalModelInfo = { pricing: pricingFromGenaiPrices(parsed.data.model_price) };
    if (parsed.data.model.context_window !== undefined) info.contextWindow = parsed.data.model.context_window;
    return info;
  };
}

/** A lookup over a loaded `@pydantic/genai-prices` module; null when the module is not what we expect. */
export function genaiPricesLookup(mod: unknown): ExternalPriceLookup | null {
  const parsed = GenaiPricesModuleSchema.safeParse(mod);
  return parsed.success ? lookupWith(parsed.data.calcPrice) : null;
}

let externalLookup: Promise<ExternalPriceLookup | null> | undefined;

/** The maintained price table, or null when the package is not installed. Loaded once. */
export function loadExternalPrices(): Promise<ExternalPriceLookup | null> {
  externalLookup ??= import(GENAI_PRICES_MODULE).then(genaiPricesLookup, () => null);
  return externalLookup;
}
