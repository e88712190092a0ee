import { describe, expect, it } from "vitest";
import {
  addUsage,
  emptyUsage,
  type ModelPricing,
  priceUsage,
  ratesFor,
  sumUsage,
  type TokenCounts,
  ZERO_RATES,
} from "./usage.js";

const SONNET: ModelPricing = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const TIERED: ModelPricing = {
  input: 1,
  output: 10,
  cacheRead: 0.1,
  cacheWrite: 0,
  tiers: [
    { aboveInputTokens: 200_000, input: 2, output: 15, cacheRead: 0.2, cacheWrite: 0 },
    { aboveInputTokens: 500_000, input: 4, output: 30, cacheRead: 0.4, cacheWrite: 0 },
  ],
};
const counts = (c: Partial<TokenCounts>): TokenCounts => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
  ...c,
});

describe("priceUsage", () => {
  it.each([
    { name: "nothing used costs nothing", c: counts({}), p: SONNET, total: 0, tokens: 0 },
    { name: "one million input tokens at $3", c: counts({ input: 1_000_000 }), p: SONNET, total: 3, tokens: 1_000_000 },
    { name: "output at $15/M", c: counts({ output: 2_000 }), p: SONNET, total: 0.03, tokens: 2_000 },
    {
      name: "cache reads and writes priced separately",
      c: counts({ input: 500, output: 20, cacheRead: 400, cacheWrite: 100 }),
      p: SONNET,
      total: 0.002295,
      tokens: 1_020,
    },
    { name: "free model", c: counts({ input: 10_000, output: 10_000 }), p: ZERO_RATES, total: 0, tokens: 20_000 },
    {
      name: "below the first tier uses base rates",
      c: counts({ input: 200_000 }),
      p: TIERED,
      total: 0.2,
      tokens: 200_000,
    },
    {
      name: "past a tier prices the whole request higher",
      c: counts({ input: 200_001, output: 1_000_000 }),
      p: TIERED,
      total: 0.400002 + 15,
      tokens: 1_200_001,
    },
    {
      name: "cached tokens count toward the tier threshold",
      c: counts({ input: 100_000, cacheRead: 450_000 }),
      p: TIERED,
      total: 0.4 + 0.18,
      tokens: 550_000,
    },
    {
      name: "negative and non-finite counts are zero",
      c: counts({ input: -5, output: Number.NaN, cacheRead: Number.POSITIVE_INFINITY }),
      p: SONNET,
      total: 0,
      tokens: 0,
    },
  ])("$name", ({ c, p, total, tokens }) => {
    const usage = priceUsage(c, p);
    expect(usage.cost.total).toBeCloseTo(total, 9);
    expect(usage.totalTokens).toBe(tokens);
    expect(usage.cost.total).toBeCloseTo(
      usage.cost.input + usage.cost.output + usage.cost.cacheRead + usage.cost.cacheWrite,
      9,
    );
  });

  it("keeps reasoning for display without counting it twice", () => {
    const usage = priceUsage(counts({ output: 100, reasoning: 60 }), SONNET);
    expect(usage).toMatchObject({ output: 100, reasoning: 60, totalTokens: 100 });
  });

  it("rounds float noise away", () => {
    expect(
      priceUsage(counts({ input: 100_000, output: 200_000 }), { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 }).cost
        .total,
    ).toBe(0.3);
  });
});

describe("ratesFor", () => {
  it.each([
    [0, 1],
    [200_000, 1],
    [200_001, 2],
    [500_001, 4],
  ])("prompt of %i tokens → input rate %d", (prompt, rate) => {
    expect(ratesFor(TIERED, prompt).input).toBe(rate);
  });
});

describe("addUsage / sumUsage", () => {
  it("adds every field", () => {
    const a = priceUsage(counts({ input: 1_000, output: 100, cacheRead: 10, cacheWrite: 5, reasoning: 3 }), SONNET);
    const b = priceUsage(counts({ input: 2_000, output: 300 }), SONNET);
    const sum = addUsage(a, b);
    expect(sum).toMatchObject({
      input: 3_000,
      output: 400,
      cacheRead: 10,
      cacheWrite: 5,
      reasoning: 3,
      totalTokens: 3_415,
    });
    expect(sum.cost.total).toBeCloseTo(a.cost.total + b.cost.total, 10);
  });

  it("sums nothing to zero and many to their total", () => {
    expect(sumUsage([])).toEqual(emptyUsage());
    const one = priceUsage(counts({ input: 1_000_000 }), SONNET);
    expect(sumUsage([one, one, one]).cost.total).toBe(9);
  });
});
