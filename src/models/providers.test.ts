import { describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../config/schema.js";
import { PincerError } from "../errors.js";
import { resolveProviders } from "./catalog.js";
import { anthropicBaseUrl, createLanguageModel, ollamaBaseUrl } from "./providers.js";

describe("base URL conventions", () => {
  it.each([
    [undefined, undefined],
    ["https://api.anthropic.com", "https://api.anthropic.com/v1"],
    ["https://api.anthropic.com/", "https://api.anthropic.com/v1"],
    ["https://api.anthropic.com/v1", "https://api.anthropic.com/v1"],
    ["https://api.minimax.io/anthropic", "https://api.minimax.io/anthropic/v1"],
  ])("anthropic %s → %s", (input, out) => {
    expect(anthropicBaseUrl(input)).toBe(out);
  });

  it.each([
    [undefined, "http://127.0.0.1:11434/api"],
    ["http://gpu-box:11434", "http://gpu-box:11434/api"],
    ["http://gpu-box:11434/api/", "http://gpu-box:11434/api"],
  ])("ollama %s → %s", (input, out) => {
    expect(ollamaBaseUrl(input)).toBe(out);
  });
});

describe("createLanguageModel", () => {
  const config = PincerConfigSchema.parse({
    models: {
      providers: {
        vllm: { baseUrl: "http://127.0.0.1:8000/v1", models: [{ id: "qwen3" }] },
        broken: { api: "openai-completions", apiKey: "k", models: [{ id: "m" }] },
        corp: { api: "openai-responses", baseUrl: "https://corp/v1", apiKey: "k", models: [] },
      },
    },
  });
  const providers = resolveProviders(config, {});
  const model = (provider: string) => {
    const resolved = providers.get(provider);
    if (!resolved) throw new Error(`no provider ${provider}`);
    return resolved;
  };

  it.each([
    ["anthropic", "claude-sonnet-4-6", "anthropic.messages"],
    ["openai", "gpt-5.4", "openai.responses"],
    ["google", "gemini-2.5-flash", "google.generative-ai"],
    ["openrouter", "anthropic/claude-sonnet-4.6", "openrouter.chat"],
    ["ollama", "llama3", "ollama"],
    ["vllm", "qwen3", "vllm.chat"],
    ["corp", "x", "openai.responses"],
  ])("%s/%s speaks %s", async (provider, id, sdkProvider) => {
    const lm = await createLanguageModel({ provider: model(provider), model: id, apiKey: "k" });
    expect(typeof lm).toBe("object");
    if (typeof lm === "string") return;
    expect(lm.modelId).toBe(id);
    expect(lm.provider).toContain(sdkProvider);
  });

  it("an OpenAI-compatible provider without a base URL is a config error naming the key to set", async () => {
    await expect(createLanguageModel({ provider: model("broken"), model: "m", apiKey: "k" })).rejects.toSatisfy(
      (err) =>
        err instanceof PincerError &&
        err.code === "MODEL_NOT_CONFIGURED" &&
        err.message.includes("models.providers.broken.baseUrl"),
    );
  });
});
