import { describe, expect, it } from "vitest";
import { CURATED_PRICES, curatedPricing, genaiPricesLookup, pricingFromGenaiPrices } from "./prices.js";
import { priceUsage } from "./usage.js";

describe("pricingFromGenaiPrices", () => {
  it("takes flat rates as they are; missing rates cost nothing", () => {
    expect(pricingFromGenaiPrices({ input_mtok: 1.25, output_mtok: 10, cache_read_mtok: 0.125 })).toEqual({
      input: 1.25,
      output: 10,
      cacheRead: 0.125,
      cacheWrite: 0,
    });
  });

  it("turns per-rate tiers into whole-request tiers at each threshold", () => {
    const pricing = pricingFromGenaiPrices({
      input_mtok: { base: 3, tiers: [{ start: 200_000, price: 6 }] },
      output_mtok: { base: 15, tiers: [{ start: 200_000, price: 22.5 }] },
      cache_read_mtok: 0.3,
      cache_write_mtok: { base: 3.75, tiers: [{ start: 100_000, price: 5 }] },
    });
    expect(pricing).toEqual({
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
      tiers: [
        { aboveInputTokens: 100_000, input: 3, output: 15, cacheRead: 0.3, cacheWrite: 5 },
        { aboveInputTokens: 200_000, input: 6, output: 22.5, cacheRead: 0.3, cacheWrite: 5 },
      ],
    });
    const big = priceUsage({ input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, pricing);
    expect(big.cost).toMatchObject({ input: 6, output: 22.5 });
  });
});

describe("curated table", () => {
  it("answers known models and nothing else", () => {
    expect(curatedPricing("anthropic", "claude-haiku-4-5")).toEqual({
      input: 1,
      output: 5,
      cacheRead: 0.1,
      cacheWrite: 1.25,
    });
    expect(curatedPricing("anthropic", "claude-unknown")).toBeUndefined();
    expect(curatedPricing("nobody", "x")).toBeUndefined();
  });

  it("holds only sane prices", () => {
    for (const models of Object.values(CURATED_PRICES)) {
      for (const p of Object.values(models)) {
        for (const rate of [p.input, p.output, p.cacheRead, p.cacheWrite]) expect(rate).toBeGreaterThanOrEqual(0);
        expect(p.output).toBeGreaterThanOrEqual(p.input);
      }
    }
  });
});

describe("genaiPricesLookup", () => {
  /** A module of the package's shape: calcPrice(usage, modelId, { providerId }) → { model, model_price } | null. */
  const moduleWith = (calcPrice: (usage: unknown, model: string, opts: { providerId: string }) => unknown) => ({
    calcPrice,
  });

  it("rejects a module without calcPrice", () => {
    expect(genaiPricesLookup({})).toBeNull();
    expect(genaiPricesLookup(null)).toBeNull();
  });

  it("reads price and context window, asks nothing for local models, survives odd answers", () => {
    const seen: string[] = [];
    const lookup = genaiPricesLookup(
      moduleWith((_usage, model, { providerId }) => {
        seen.push(`${providerId}/${model}`);
        if (model === "known")
          return { model: { context_window: 200_000 }, model_price: { input_mtok: 1, output_mtok: 2 } };
        if (model === "throws") throw new Error("Unknown price constraint");
        if (model === "garbage") return { model: "?", model_price: 5 };
        return null;
      }),
    );
    expect(lookup?.("anthropic", "known")).toEqual({
      pricing: { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 },
      contextWindow: 200_000,
    });
    expect(lookup?.("anthropic", "missing")).toBeUndefined();
    expect(lookup?.("anthropic", "throws")).toBeUndefined();
    expect(lookup?.("anthropic", "garbage")).toBeUndefined();
    expect(lookup?.("ollama", "known")).toBeUndefined();
    expect(seen).not.toContain("ollama/known");
  });
});
