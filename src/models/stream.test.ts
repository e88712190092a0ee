import { getEventListeners } from "node:events";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../test/fixtures/fake-llm/index.js";
import { PincerConfigSchema } from "../config/schema.js";
import type { AgentMessage } from "../sessions/messages.js";
import { resolveProviders } from "./catalog.js";
import type { ToolSpec } from "./convert.js";
import { type ModelEvent, type StreamModelRequest, streamModel } from "./stream.js";

/** The real AI SDK provider packages against the fake LLM server on loopback. */

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const COST = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
function providersFor(fakeLlm: FakeLlm) {
  const config = PincerConfigSchema.parse({
    models: {
      providers: {
        anthropic: { baseUrl: fakeLlm.url, models: [{ id: "claude-fake", cost: COST }] },
        openai: { baseUrl: fakeLlm.openaiBaseUrl, models: [{ id: "gpt-fake", cost: COST }] },
        google: { baseUrl: fakeLlm.googleBaseUrl, models: [{ id: "gemini-fake", cost: COST }] },
        ollama: { baseUrl: fakeLlm.url, models: [{ id: "llama-fake", cost: COST }] },
        local: { baseUrl: fakeLlm.openaiBaseUrl, api: "openai-completions", models: [{ id: "qwen-fake", cost: COST }] },
        responses: {
          baseUrl: fakeLlm.openaiBaseUrl,
          api: "openai-responses",
          apiKey: "k",
          models: [{ id: "gpt-r", cost: COST }],
        },
      },
    },
  });
  return resolveProviders(config, {});
}

const tools: ToolSpec[] = [
  {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
];
const hello: AgentMessage[] = [{ role: "user", content: "hello", timestamp: 1 }];

async function collect(req: Omit<StreamModelRequest, "system" | "messages" | "tools"> & Partial<StreamModelRequest>) {
  const events: ModelEvent[] = [];
  for await (const event of streamModel({ system: "You are a test.", messages: hello, tools, ...req }))
    events.push(event);
  const done = events.at(-1);
  if (done?.type !== "done") throw new Error("stream did not end with done");
  expect(events.filter((e) => e.type === "done")).toHaveLength(1);
  return { events, done, deltas: events.flatMap((e) => (e.type === "text_delta" ? [e.delta] : [])) };
}

const apis = [
  { api: "anthropic-messages", provider: "anthropic", model: "claude-fake" },
  { api: "openai-responses", provider: "openai", model: "gpt-fake" },
  { api: "openai-responses (custom)", provider: "responses", model: "gpt-r" },
  { api: "openai-completions", provider: "local", model: "qwen-fake" },
  { api: "google-generative-ai", provider: "google", model: "gemini-fake" },
  { api: "ollama", provider: "ollama", model: "llama-fake" },
];

describe.each(apis)("streamModel over $api", ({ provider, model }) => {
  const request = () => ({ ref: { provider, model }, apiKey: "key-1", provider: providersFor(fake).get(provider) });

  it("streams text in deltas and ends with usage priced from the catalog", async () => {
    fake.enqueue({ text: "The weather is fine today.", usage: { input: 1_000, output: 200 } });
    const { done, deltas } = await collect(request());
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("The weather is fine today.");
    expect(done.error).toBeUndefined();
    expect(done.message).toMatchObject({
      role: "assistant",
      provider,
      model,
      stopReason: "stop",
      content: [{ type: "text", text: "The weather is fine today." }],
    });
    const usage = done.message.usage;
    expect(usage?.input).toBe(1_000);
    expect(usage?.output).toBe(200);
    expect(usage?.cost.total).toBeCloseTo((1_000 * 3 + 200 * 15) / 1e6, 10);
    const sent = fake.requests[0];
    expect(sent?.model).toBe(model);
    expect(sent?.lastUserText).toBe("hello");
  });

  it("leaves no listener on the caller's signal once the call is over", async () => {
    // A listener left behind would keep the call's state alive as long as the caller's signal lives.
    const caller = new AbortController();
    fake.enqueue({ text: "done" });
    const { done } = await collect({ ...request(), signal: caller.signal });
    expect(done.error).toBeUndefined();
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
  });

  it("returns a tool call with parsed arguments and stopReason toolUse", async () => {
    fake.enqueue({ toolCalls: [{ name: "get_weather", args: { city: "Paris" } }] });
    const { events, done } = await collect(request());
    const call = events.find((e) => e.type === "tool_call");
    expect(call).toMatchObject({ call: { type: "toolCall", name: "get_weather", arguments: { city: "Paris" } } });
    expect(done.message.stopReason).toBe("toolUse");
    expect(done.message.content).toContainEqual(expect.objectContaining({ type: "toolCall", name: "get_weather" }));
  });

  it("a cut stream ends with a network failure and the text received so far", async () => {
    fake.enqueue({ text: "one two three four five six seven eight nine ten", cutAfterChunks: 4 });
    const { done, deltas } = await collect(request());
    expect(done.error?.kind).toBe("network");
    expect(done.message.stopReason).toBe("error");
    const text = done.message.content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
    expect(text).toBe(deltas.join(""));
    expect(done.message.errorMessage).toContain(provider);
  });

  it("a 429 is a rate_limit failure with the provider's retry-after", async () => {
    fake.enqueue({ error: { status: 429, message: "slow down", retryAfterSec: 9 } });
    const { done, events } = await collect(request());
    expect(events).toHaveLength(1);
    expect(done.error).toMatchObject({ kind: "rate_limit", httpStatus: 429, retryAfterMs: 9_000, provider, model });
    expect(done.message.usage?.cost.total).toBe(0);
  });
});

describe("streamModel failures before any call", () => {
  it("a built-in provider without a key tells what to set", async () => {
    const { done } = await collect({ ref: { provider: "anthropic", model: "claude-sonnet-4-6" } });
    expect(done.error?.kind).toBe("not_configured");
    expect(done.error?.message).toContain("ANTHROPIC_API_KEY");
    expect(done.message.stopReason).toBe("error");
  });

  it("an unknown provider names the config key to add", async () => {
    const { done } = await collect({ ref: { provider: "nope", model: "m" }, apiKey: "k" });
    expect(done.error).toMatchObject({
      kind: "not_configured",
      message: expect.stringContaining("models.providers.nope"),
    });
  });

  it("an already aborted signal makes no request", async () => {
    const controller = new AbortController();
    controller.abort();
    const providers = providersFor(fake);
    const { done } = await collect({
      ref: { provider: "anthropic", model: "claude-fake" },
      apiKey: "k",
      provider: providers.get("anthropic"),
      signal: controller.signal,
    });
    expect(done.message.stopReason).toBe("aborted");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("streamModel mid-stream", () => {
  it("an abort mid-stream ends with stopReason aborted and the partial text", async () => {
    fake.enqueue({ text: "one two three four five six seven eight nine ten eleven twelve", chunkDelayMs: 30 });
    const controller = new AbortController();
    const events: ModelEvent[] = [];
    const providers = providersFor(fake);
    for await (const event of streamModel({
      ref: { provider: "anthropic", model: "claude-fake" },
      apiKey: "k",
      provider: providers.get("anthropic"),
      system: "",
      messages: hello,
      tools: [],
      signal: controller.signal,
    })) {
      events.push(event);
      if (event.type === "text_delta") controller.abort();
    }
    const done = events.at(-1);
    expect(done?.type).toBe("done");
    if (done?.type !== "done") return;
    expect(done.message.stopReason).toBe("aborted");
    expect(done.error?.kind).toBe("aborted");
    expect(done.message.content[0]).toMatchObject({ type: "text" });
  });

  it("a silent server times out as a timeout failure", async () => {
    fake.enqueue({ text: "late", delayMs: 5_000 });
    const providers = providersFor(fake);
    const { done } = await collect({
      ref: { provider: "local", model: "qwen-fake" },
      provider: providers.get("local"),
      idleTimeoutMs: 100,
    });
    expect(done.error?.kind).toBe("timeout");
    expect(done.message.stopReason).toBe("error");
  });

  it("sends the whole history, tool results included, in the provider's format", async () => {
    const providers = providersFor(fake);
    const history: AgentMessage[] = [
      { role: "user", content: "weather?", timestamp: 1 },
      {
        role: "assistant",
        content: [{ type: "toolCall", id: "toolu_1", name: "get_weather", arguments: { city: "Oslo" } }],
        provider: "anthropic",
        stopReason: "toolUse",
        timestamp: 2,
      },
      {
        role: "toolResult",
        toolCallId: "toolu_1",
        toolName: "get_weather",
        content: [{ type: "text", text: "rain" }],
        isError: false,
        timestamp: 3,
      },
    ];
    fake.enqueue({ text: "It rains." });
    const { done } = await collect({
      ref: { provider: "anthropic", model: "claude-fake" },
      apiKey: "k",
      provider: providers.get("anthropic"),
      messages: history,
    });
    expect(done.error).toBeUndefined();
    const body = JSON.stringify(fake.requests[0]?.body);
    expect(body).toContain('"tool_result"');
    expect(body).toContain('"toolu_1"');
    expect(body).toContain("rain");
  });
});
