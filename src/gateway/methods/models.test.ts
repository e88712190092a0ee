import { describe, expect, it } from "vitest";
import { type PincerConfig, PincerConfigSchema } from "../../config/schema.js";
import type { ModelChoice } from "../../models/model-choices.js";
import { modelsView } from "./models.js";

const row = (provider: string, id: string, available: boolean): ModelChoice => ({
  id,
  name: id,
  provider,
  contextWindow: 128_000,
  reasoning: false,
  available,
  ...(available ? {} : { unavailableReason: "missing-auth" as const }),
});

const catalog = [
  row("anthropic", "claude-sonnet-4-6", false),
  row("openai", "gpt-5", false),
  row("fake", "fake-model", true),
  row("openrouter", "some/model", false),
];

const config: PincerConfig = PincerConfigSchema.parse({
  models: { providers: { fake: { baseUrl: "http://127.0.0.1:1/v1", models: [{ id: "fake-model" }] } } },
  agents: { defaults: { model: { primary: "fake/fake-model", fallbacks: ["openai/gpt-5"] } } },
});

describe("models.list views", () => {
  it('lists the whole catalog for "default", "all" and no view (no allowlist in Pincer)', () => {
    for (const view of [undefined, "default", "all"]) expect(modelsView(catalog, view, config)).toEqual(catalog);
  });

  it('"configured" keeps usable models and the primaries and fallbacks agents name', () => {
    expect(modelsView(catalog, "configured", config).map((m) => `${m.provider}/${m.id}`)).toEqual([
      "openai/gpt-5",
      "fake/fake-model",
    ]);
  });

  it('"provider-config" keeps the rows authored under models.providers', () => {
    expect(modelsView(catalog, "provider-config", config).map((m) => m.id)).toEqual(["fake-model"]);
  });
});
