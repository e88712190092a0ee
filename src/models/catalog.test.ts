import { describe, expect, it } from "vitest";
import { type PincerConfigInput, PincerConfigSchema } from "../config/schema.js";
import { findModel, parseModelRef, pricingFor, resolveProviders, UNKNOWN_MODEL_CONTEXT_WINDOW } from "./catalog.js";
import { curatedPricing } from "./prices.js";
import { ZERO_RATES } from "./usage.js";

const config = (input: PincerConfigInput = {}) => PincerConfigSchema.parse(input);

describe("resolveProviders", () => {
  it("knows the built-ins, with keys from the environment", () => {
    const providers = resolveProviders(config(), {
      ANTHROPIC_API_KEY: "sk-ant-1",
      GEMINI_API_KEY: "g1",
      GOOGLE_GENERATIVE_AI_API_KEY: "g2",
    });
    expect([...providers.keys()]).toEqual(["anthropic", "openai", "google", "openrouter", "ollama"]);
    expect(providers.get("anthropic")).toMatchObject({
      api: "anthropic-messages",
      apiKeys: ["sk-ant-1"],
      defaultModel: "claude-sonnet-4-6",
    });
    expect(providers.get("openai")?.apiKeys).toEqual([]);
    expect(providers.get("google")?.apiKeys).toEqual(["g1", "g2"]);
    expect(providers.get("openrouter")).toMatchObject({
      api: "openai-completions",
      baseUrl: "https://openrouter.ai/api/v1",
    });
    expect(providers.get("ollama")).toMatchObject({ keyless: true, baseUrl: "http://127.0.0.1:11434", models: [] });
  });

  it("a configured key list replaces the environment's key, trimmed and without duplicates", () => {
    const providers = resolveProviders(
      config({ models: { providers: { anthropic: { apiKey: [" a ", "b", "a", ""] } } } }),
      {
        ANTHROPIC_API_KEY: "env",
      },
    );
    expect(providers.get("anthropic")?.apiKeys).toEqual(["a", "b"]);
  });

  it("merge mode overrides fields and adds or overrides models of a built-in", () => {
    const providers = resolveProviders(
      config({
        models: {
          providers: {
            anthropic: {
              baseUrl: "https://proxy.example/anthropic",
              headers: { "x-team": "a" },
              models: [
                { id: "claude-sonnet-4-6", contextWindow: 200_000 },
                { id: "claude-custom", name: "Custom", cost: { input: 1, output: 2 } },
              ],
            },
          },
        },
      }),
      {},
    );
    const anthropic = providers.get("anthropic");
    expect(anthropic).toMatchObject({ baseUrl: "https://proxy.example/anthropic", headers: { "x-team": "a" } });
    const sonnet = anthropic?.models.find((m) => m.id === "claude-sonnet-4-6");
    expect(sonnet).toMatchObject({
      name: "Claude Sonnet 4.6",
      contextWindow: 200_000,
      maxTokens: 64_000,
      reasoning: true,
    });
    expect(anthropic?.models.find((m) => m.id === "claude-custom")).toMatchObject({
      name: "Custom",
      contextWindow: UNKNOWN_MODEL_CONTEXT_WINDOW,
      cost: { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 },
    });
    expect(providers.has("openai")).toBe(true);
  });

  it("replace mode keeps only configured providers and only their models", () => {
    const providers = resolveProviders(
      config({
        models: {
          mode: "replace",
          providers: {
            anthropic: { models: [{ id: "claude-x" }] },
            local: { baseUrl: "http://127.0.0.1:8000/v1", models: [{ id: "qwen" }] },
          },
        },
      }),
      { ANTHROPIC_API_KEY: "k", OPENAI_API_KEY: "o" },
    );
    expect([...providers.keys()]).toEqual(["anthropic", "local"]);
    expect(providers.get("anthropic")).toMatchObject({
      api: "anthropic-messages",
      apiKeys: ["k"],
      defaultModel: "claude-sonnet-4-6",
    });
    expect(providers.get("anthropic")?.models.map((m) => m.id)).toEqual(["claude-x"]);
  });

  it("a custom provider defaults to an OpenAI-compatible API and is keyless without an apiKey", () => {
    const providers = resolveProviders(
      config({ models: { providers: { vllm: { baseUrl: "http://127.0.0.1:8000/v1", models: [{ id: "qwen3" }] } } } }),
      {},
    );
    expect(providers.get("vllm")).toMatchObject({
      api: "openai-completions",
      keyless: true,
      apiKeys: [],
      defaultModel: "qwen3",
    });
    const keyed = resolveProviders(
      config({ models: { providers: { corp: { baseUrl: "https://x/v1", apiKey: "k", models: [] } } } }),
      {},
    );
    expect(keyed.get("corp")).toMatchObject({ keyless: false, apiKeys: ["k"] });
    expect(keyed.get("corp")?.defaultModel).toBeUndefined();
  });
});

describe("parseModelRef", () => {
  const providers = resolveProviders(
    config({ models: { providers: { vllm: { baseUrl: "http://h/v1", models: [{ id: "qwen3" }] } } } }),
    {},
  );
  it.each([
    ["anthropic/claude-sonnet-4-6", { provider: "anthropic", model: "claude-sonnet-4-6" }],
    ["openrouter/anthropic/claude-sonnet-4.6", { provider: "openrouter", model: "anthropic/claude-sonnet-4.6" }],
    ["  openai/gpt-5.4 ", { provider: "openai", model: "gpt-5.4" }],
    ["gpt-5.4", { provider: "openai", model: "gpt-5.4" }],
    ["qwen3", { provider: "vllm", model: "qwen3" }],
    ["claude-unknown", { provider: "anthropic", model: "claude-unknown" }],
    ["mystery/model", { provider: "mystery", model: "model" }],
    ["", undefined],
    ["   ", undefined],
  ])("%j → %j", (text, ref) => {
    expect(parseModelRef(text, providers)).toEqual(ref);
  });
});

describe("findModel and pricingFor", () => {
  const providers = resolveProviders(
    config({ models: { providers: { openai: { models: [{ id: "gpt-5.4", cost: { input: 9, output: 9 } }] } } } }),
    {},
  );

  it("an unknown model still gets usable defaults", () => {
    expect(findModel(providers, { provider: "anthropic", model: "claude-next" })).toEqual({
      id: "claude-next",
      name: "claude-next",
      provider: "anthropic",
      contextWindow: UNKNOWN_MODEL_CONTEXT_WINDOW,
      reasoning: false,
      input: ["text"],
    });
  });

  it("config cost beats every table", () => {
    const model = findModel(providers, { provider: "openai", model: "gpt-5.4" });
    const external = () => ({ pricing: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 } });
    expect(pricingFor(model, external)).toEqual({ input: 9, output: 9, cacheRead: 0, cacheWrite: 0 });
  });

  it("the maintained table beats the curated one, which is the fallback", () => {
    const model = findModel(providers, { provider: "anthropic", model: "claude-sonnet-4-6" });
    const fromTable = { input: 2, output: 2, cacheRead: 0, cacheWrite: 0 };
    expect(pricingFor(model, () => ({ pricing: fromTable }))).toBe(fromTable);
    expect(pricingFor(model, () => undefined)).toEqual(curatedPricing("anthropic", "claude-sonnet-4-6"));
    expect(pricingFor(model, null)).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
  });

  it("unpriced and local models cost nothing", () => {
    expect(pricingFor(findModel(providers, { provider: "anthropic", model: "claude-next" }), null)).toBe(ZERO_RATES);
    expect(
      pricingFor(findModel(providers, { provider: "ollama", model: "llama3" }), () => ({
        pricing: { input: 5, output: 5, cacheRead: 0, cacheWrite: 0 },
      })),
    ).toBe(ZERO_RATES);
  });

  it("every built-in default model has a curated price", () => {
    for (const provider of providers.values()) {
      if (provider.defaultModel && provider.id !== "ollama")
        expect(curatedPricing(provider.id, provider.defaultModel)).toBeDefined();
    }
  });
});
