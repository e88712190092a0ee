import type { LanguageModelV3, LanguageModelV3StreamPart, LanguageModelV3Usage } from "@ai-sdk/provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../test/fixtures/fake-llm/index.js";
import { PincerConfigSchema } from "../config/schema.js";
import { PincerError } from "../errors.js";
import { resolveProviders } from "./catalog.js";
import { toProviderCallOptions } from "./provider-prompt.js";
import { AssistantBuilder, asLanguageModelV3, tokenCountsFromUsage } from "./provider-stream.js";
import { createLanguageModel } from "./providers.js";

const usage = (
  input: Partial<LanguageModelV3Usage["inputTokens"]>,
  output: Partial<LanguageModelV3Usage["outputTokens"]>,
) =>
  ({
    inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined, ...input },
    outputTokens: { total: undefined, text: undefined, reasoning: undefined, ...output },
  }) satisfies LanguageModelV3Usage;

const finish = (
  unified: "stop" | "length" | "content-filter" | "tool-calls" | "error" | "other",
): LanguageModelV3StreamPart => ({
  type: "finish",
  finishReason: { unified, raw: undefined },
  usage: usage({ total: 1 }, { total: 2 }),
});

function feed(parts: LanguageModelV3StreamPart[]) {
  const builder = new AssistantBuilder();
  const outcomes = parts.map((p) => builder.apply(p)).filter((o) => o !== undefined);
  return { builder, outcomes };
}

describe("tokenCountsFromUsage", () => {
  it("splits cached tokens out of the input total", () => {
    expect(
      tokenCountsFromUsage(usage({ total: 1000, cacheRead: 400, cacheWrite: 100 }, { total: 50, reasoning: 20 })),
    ).toEqual({
      input: 500,
      output: 50,
      cacheRead: 400,
      cacheWrite: 100,
      reasoning: 20,
    });
  });

  it("takes the provider's uncached count when it gives one", () => {
    expect(tokenCountsFromUsage(usage({ total: 1000, noCache: 700, cacheRead: 200 }, { total: 5 }))).toMatchObject({
      input: 700,
      cacheRead: 200,
      output: 5,
    });
  });

  it("missing usage is zero, and a count a provider got wrong is unknown rather than a failure", () => {
    const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    expect(tokenCountsFromUsage(undefined)).toEqual(zero);
    expect(tokenCountsFromUsage(usage({}, {}))).toEqual(zero);
    const broken = {
      inputTokens: { total: -3, cacheRead: "9" },
      outputTokens: null,
    } as unknown as LanguageModelV3Usage;
    expect(tokenCountsFromUsage(broken)).toEqual(zero);
    // More cached than the total (a provider counting differently) never makes input negative.
    expect(tokenCountsFromUsage(usage({ total: 10, cacheRead: 30 }, {})).input).toBe(0);
  });
});

describe("AssistantBuilder", () => {
  it("folds deltas into blocks, keeps the reasoning signature and parses tool input", () => {
    const { builder, outcomes } = feed([
      { type: "stream-start", warnings: [] },
      { type: "response-metadata", id: "r1", modelId: "m" },
      { type: "reasoning-start", id: "r" },
      { type: "reasoning-delta", id: "r", delta: "th" },
      { type: "reasoning-delta", id: "r", delta: "ink" },
      { type: "reasoning-end", id: "r", providerMetadata: { anthropic: { signature: "s1" } } },
      { type: "text-start", id: "t" },
      { type: "text-delta", id: "t", delta: "Hel" },
      { type: "text-delta", id: "t", delta: "" },
      { type: "text-delta", id: "t", delta: "lo" },
      { type: "text-end", id: "t" },
      { type: "tool-input-start", id: "c1", toolName: "read" },
      { type: "tool-input-delta", id: "c1", delta: '{"path":' },
      { type: "tool-input-end", id: "c1" },
      { type: "tool-call", toolCallId: "c1", toolName: "read", input: '{"path":"x"}' },
      { type: "raw", rawValue: { anything: true } },
      finish("tool-calls"),
    ]);
    expect(outcomes.map((o) => o.type)).toEqual([
      "thinking_delta",
      "thinking_delta",
      "text_delta",
      "text_delta",
      "tool_call",
    ]);
    expect(builder.content).toEqual([
      { type: "thinking", thinking: "think", signature: "s1" },
      { type: "text", text: "Hello" },
      { type: "toolCall", id: "c1", name: "read", arguments: { path: "x" } },
    ]);
    expect(builder.stopReason()).toBe("toolUse");
    expect(builder.usage?.outputTokens.total).toBe(2);
    expect(builder.emitted).toBe(true);
  });

  it("a signature on a delta or on an empty reasoning block is kept", () => {
    const { builder } = feed([
      { type: "reasoning-start", id: "a" },
      { type: "reasoning-delta", id: "a", delta: "", providerMetadata: { anthropic: { signature: "redacted" } } },
      { type: "reasoning-end", id: "a" },
    ]);
    expect(builder.content).toEqual([{ type: "thinking", thinking: "", signature: "redacted" }]);
    expect(builder.emitted).toBe(false);
  });

  it("a part id reused for a later block starts a new block", () => {
    const { builder } = feed([
      { type: "text-start", id: "0" },
      { type: "text-delta", id: "0", delta: "first" },
      { type: "text-end", id: "0" },
      { type: "tool-call", toolCallId: "c", toolName: "t", input: "{}" },
      { type: "text-start", id: "0" },
      { type: "text-delta", id: "0", delta: "second" },
      { type: "text-end", id: "0" },
    ]);
    expect(builder.content).toEqual([
      { type: "text", text: "first" },
      { type: "toolCall", id: "c", name: "t", arguments: {} },
      { type: "text", text: "second" },
    ]);
  });

  it("bad tool input from the model becomes empty arguments, not a failure", () => {
    const { builder, outcomes } = feed([
      { type: "tool-call", toolCallId: "c", toolName: "t", input: "{not json" },
      { type: "tool-call", toolCallId: "d", toolName: "t", input: "" },
      { type: "tool-call", toolCallId: "e", toolName: "t", input: "[1]" },
    ]);
    expect(outcomes).toHaveLength(3);
    expect(builder.content.map((p) => (p.type === "toolCall" ? p.arguments : p))).toEqual([{}, {}, {}]);
  });

  it.each([
    [undefined, false, undefined],
    ["stop", false, "stop"],
    ["stop", true, "toolUse"],
    ["length", true, "length"],
    ["content-filter", false, "content-filter"],
    ["other", false, "stop"],
    ["error", false, "stop"],
  ] as const)("finish %s (tool calls: %s) → %s", (finishReason, withCall, out) => {
    const parts: LanguageModelV3StreamPart[] = [];
    if (withCall) parts.push({ type: "tool-call", toolCallId: "c", toolName: "t", input: "{}" });
    if (finishReason) parts.push(finish(finishReason));
    expect(feed(parts).builder.stopReason()).toBe(out);
  });

  it("reports an error part without emitting, carrying the provider's error as is", () => {
    const error = { type: "error", error: { type: "overloaded_error", message: "Overloaded" } };
    const { builder, outcomes } = feed([{ type: "error", error }]);
    expect(outcomes).toEqual([{ type: "error", error }]);
    expect(builder.emitted).toBe(false);
    expect(builder.stopReason()).toBeUndefined();
  });
});

describe("asLanguageModelV3", () => {
  const v3 = { specificationVersion: "v3", provider: "p", modelId: "m" } as unknown as LanguageModelV3;

  it("passes a v3 model through", () => {
    expect(asLanguageModelV3(v3, "p/m")).toBe(v3);
  });

  it.each([
    ["a model id string", "openai/gpt-5"],
    ["a v2 model", { ...v3, specificationVersion: "v2" }],
  ])("refuses %s with a configuration error naming the model", (_label, model) => {
    const attempt = () => asLanguageModelV3(model as unknown as LanguageModelV3, "p/m");
    expect(attempt).toThrow(PincerError);
    expect(attempt).toThrow(/p\/m/);
  });
});

describe("each provider package's stream, read by the builder", () => {
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  /** How each API reports the same usage: Anthropic has cache writes but no reasoning count, Ollama neither. */
  const dialects = [
    { provider: "anthropic", tokens: { input: 500, cacheRead: 400, cacheWrite: 100, reasoning: 0 }, signed: true },
    { provider: "openai", tokens: { input: 600, cacheRead: 400, cacheWrite: 0, reasoning: 50 }, signed: false },
    { provider: "local", tokens: { input: 600, cacheRead: 400, cacheWrite: 0, reasoning: 50 }, signed: false },
    { provider: "google", tokens: { input: 600, cacheRead: 400, cacheWrite: 0, reasoning: 50 }, signed: false },
    { provider: "ollama", tokens: { input: 1000, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, signed: false },
  ];

  it.each(dialects)(
    "$provider: thinking, text, a tool call, finish and usage",
    async ({ provider, tokens, signed }) => {
      const providers = resolveProviders(
        PincerConfigSchema.parse({
          models: {
            providers: {
              anthropic: { baseUrl: fake.url, models: [{ id: "m" }] },
              openai: { baseUrl: fake.openaiBaseUrl, models: [{ id: "m" }] },
              local: { baseUrl: fake.openaiBaseUrl, api: "openai-completions", models: [{ id: "m" }] },
              google: { baseUrl: fake.googleBaseUrl, models: [{ id: "m" }] },
              ollama: { baseUrl: fake.url, models: [{ id: "m" }] },
            },
          },
        }),
        {},
      );
      const resolved = providers.get(provider);
      if (!resolved) throw new Error(`no provider ${provider}`);
      fake.enqueue({
        thinking: "let me think",
        text: "Sunny.",
        toolCalls: [{ name: "get_weather", args: { city: "Paris" } }],
        usage: { input: 1000, output: 300, cacheRead: 400, cacheWrite: 100, reasoning: 50 },
      });
      const model = asLanguageModelV3(
        await createLanguageModel({ provider: resolved, model: "m", apiKey: "k" }),
        provider,
      );
      const options = toProviderCallOptions({
        system: "",
        messages: [{ role: "user", content: "weather?", timestamp: 1 }],
        tools: [{ name: "get_weather", description: "Weather", parameters: { type: "object" } }],
        targetProvider: provider,
      });
      const { stream } = await model.doStream(options);
      const builder = new AssistantBuilder();
      const outcomes: string[] = [];
      for await (const part of stream) {
        const outcome = builder.apply(part);
        if (outcome) outcomes.push(outcome.type);
      }
      expect(outcomes).toContain("thinking_delta");
      expect(outcomes.at(-1)).toBe("tool_call");
      expect(builder.content).toEqual([
        signed
          ? { type: "thinking", thinking: "let me think", signature: expect.any(String) }
          : { type: "thinking", thinking: "let me think" },
        { type: "text", text: "Sunny." },
        { type: "toolCall", id: expect.any(String), name: "get_weather", arguments: { city: "Paris" } },
      ]);
      expect(builder.stopReason()).toBe("toolUse");
      expect(tokenCountsFromUsage(builder.usage)).toEqual({ ...tokens, output: 300 });
    },
  );
});
