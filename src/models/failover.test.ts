import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../test/fixtures/fake-llm/index.js";
import { type PincerConfigInput, PincerConfigSchema } from "../config/schema.js";
import type { AgentMessage } from "../sessions/messages.js";
import { AUTH_FAILURE_COOLDOWN_MS } from "./auth-profiles.js";
import { NO_MODEL_CONFIGURED_MESSAGE } from "./chain.js";
import { ModelRouter, type RouterEvent, type RouterRequest } from "./failover.js";

/** ModelRouter driving the real provider SDKs against the fake LLM server. */

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ models: ["llama-local"] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

/** Nothing listens on port 9 of loopback (discard, never run on test machines): a refused connection. */
const CLOSED_URL = "http://127.0.0.1:9";
const hello: AgentMessage[] = [{ role: "user", content: "hello", timestamp: 1 }];

function setup(input: PincerConfigInput, env: NodeJS.ProcessEnv = {}) {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const warnings: object[] = [];
  const router = new ModelRouter({
    config: PincerConfigSchema.parse(input),
    env,
    now: () => clock,
    log: { warn: (obj) => warnings.push(obj) },
  });
  const run = async (req: Partial<RouterRequest> = {}) => {
    const events: RouterEvent[] = [];
    for await (const event of router.stream({ system: "test", messages: hello, tools: [], ...req })) events.push(event);
    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("router stream did not end with done");
    expect(events.filter((e) => e.type === "done")).toHaveLength(1);
    const attempts = events.flatMap((e) => (e.type === "attempt" ? [e] : []));
    return { events, done, attempts };
  };
  return { router, run, warnings, advance: (ms: number) => (clock += ms), now: () => clock };
}

/** Anthropic with two keys, falling back to an OpenAI-compatible local server; Ollama out of reach. */
const twoKeys = (): PincerConfigInput => ({
  agents: { defaults: { model: { primary: "anthropic/claude-fake", fallbacks: ["local/qwen-fake"] } } },
  models: {
    providers: {
      anthropic: {
        baseUrl: fake.url,
        apiKey: ["sk-ant-first-1111", "sk-ant-second-2222"],
        models: [{ id: "claude-fake" }],
      },
      local: { baseUrl: fake.openaiBaseUrl, api: "openai-completions", models: [{ id: "qwen-fake" }] },
      ollama: { baseUrl: CLOSED_URL },
    },
  },
});

describe("ModelRouter.stream", () => {
  it("streams from the primary with one attempt and no reason", async () => {
    const { run } = setup(twoKeys());
    fake.enqueue({ text: "hi there", usage: { input: 10, output: 3 } });
    const { done, attempts } = await run();
    expect(attempts).toEqual([{ type: "attempt", provider: "anthropic", model: "claude-fake", profile: 0 }]);
    expect(done.error).toBeUndefined();
    expect(done.message).toMatchObject({
      provider: "anthropic",
      model: "claude-fake",
      stopReason: "stop",
      usage: { input: 10, output: 3 },
    });
  });

  it("a 429 on the first key moves to the next key and cools the first down per retry-after", async () => {
    const { run, router, now } = setup(twoKeys());
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 429, retryAfterSec: 7 } });
    fake.enqueueFor("sk-ant-second-2222", { text: "from key two" });
    const { done, attempts } = await run();
    expect(attempts.map((a) => a.profile)).toEqual([0, 1]);
    expect(attempts[1]?.reason).toContain("rate_limit");
    expect(done.error).toBeUndefined();
    expect(done.message.content).toEqual([{ type: "text", text: "from key two" }]);
    const anthropic = router.status().find((p) => p.provider === "anthropic");
    expect(anthropic?.profiles[0]).toMatchObject({
      key: "…1111",
      available: false,
      cooldownUntil: now() + 7_000,
      unavailableReason: "cooldown",
      lastError: { kind: "rate_limit", httpStatus: 429 },
    });
    expect(anthropic?.profiles[1]).toMatchObject({ key: "…2222", available: true });
    expect(JSON.stringify(router.status())).not.toContain("sk-ant-first");
  });

  it("a cooling key is skipped without a request until its cooldown ends; backoff doubles and resets on success", async () => {
    const { run, advance } = setup(twoKeys());
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 429 } });
    await run();
    fake.reset();
    await run();
    expect(fake.requests.map((r) => r.apiKey)).toEqual(["sk-ant-second-2222"]);
    advance(30_000);
    fake.reset();
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 429 } });
    await run();
    advance(30_000);
    fake.reset();
    await run();
    expect(fake.requests.map((r) => r.apiKey)).toEqual(["sk-ant-second-2222"]);
    advance(30_000);
    fake.reset();
    await run();
    expect(fake.requests.map((r) => r.apiKey)).toEqual(["sk-ant-first-1111"]);
  });

  it("a 401 on the first key marks it failed and rotates at once", async () => {
    const { run, router, now } = setup(twoKeys());
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 401, message: "invalid x-api-key" } });
    const { done, attempts } = await run();
    expect(attempts.map((a) => a.profile)).toEqual([0, 1]);
    expect(done.error).toBeUndefined();
    const first = router.status().find((p) => p.provider === "anthropic")?.profiles[0];
    expect(first).toMatchObject({
      available: false,
      unavailableReason: "auth-failed",
      cooldownUntil: now() + AUTH_FAILURE_COOLDOWN_MS,
    });
  });

  it("when every key of a model is out, the next model in the chain answers", async () => {
    const { run } = setup(twoKeys());
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 429 } });
    fake.enqueueFor("sk-ant-second-2222", { error: { status: 529, message: "Overloaded" } });
    fake.enqueueFor("qwen-fake", { text: "fallback speaking" });
    const { done, attempts } = await run();
    expect(attempts.map((a) => `${a.provider}/${a.model}#${a.profile}`)).toEqual([
      "anthropic/claude-fake#0",
      "anthropic/claude-fake#1",
      "local/qwen-fake#0",
    ]);
    expect(done.message).toMatchObject({
      provider: "local",
      model: "qwen-fake",
      content: [{ type: "text", text: "fallback speaking" }],
    });
  });

  it("a 500 is retried once on the same key, then the next model", async () => {
    const { run } = setup(twoKeys());
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 500 } }, { error: { status: 500 } });
    fake.enqueueFor("qwen-fake", { text: "ok" });
    const { attempts, done } = await run();
    expect(attempts.map((a) => `${a.provider}#${a.profile}`)).toEqual(["anthropic#0", "anthropic#0", "local#0"]);
    expect(done.error).toBeUndefined();
  });

  it("all providers down: one done with an error listing every attempt and why", async () => {
    const { run, warnings } = setup(twoKeys());
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 401 } });
    fake.enqueueFor("sk-ant-second-2222", { error: { status: 429, retryAfterSec: 60 } });
    fake.enqueueFor("qwen-fake", { error: { status: 500 } }, { error: { status: 503 } });
    const { done } = await run();
    expect(done.message.stopReason).toBe("error");
    expect(done.error?.kind).toBe("overloaded");
    const message = done.error?.message ?? "";
    expect(message).toMatch(/^All models failed: /);
    expect(message).toContain("anthropic/claude-fake (key 1): auth HTTP 401");
    expect(message).toContain("anthropic/claude-fake (key 2): rate_limit HTTP 429");
    expect(message).toContain("local/qwen-fake (key 1): server_error HTTP 500");
    expect(message).toContain("local/qwen-fake (key 1): overloaded HTTP 503");
    expect(done.message.errorMessage).toBe(message);
    expect(warnings).toHaveLength(4);
  });

  it("a failure after text reached the caller ends the turn with the partial text, no failover", async () => {
    const { run } = setup(twoKeys());
    fake.enqueueFor("sk-ant-first-1111", { text: "one two three four five six seven", cutAfterChunks: 4 });
    const { done, attempts, events } = await run();
    expect(attempts).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
    expect(done.error?.kind).toBe("network");
    const streamed = events.flatMap((e) => (e.type === "text_delta" ? [e.delta] : [])).join("");
    expect(streamed.length).toBeGreaterThan(0);
    expect(done.message.content).toEqual([{ type: "text", text: streamed }]);
  });

  it("a user abort mid-stream is never retried", async () => {
    const { router } = setup(twoKeys());
    fake.enqueue({ text: "a b c d e f g h i j k l m n o p", chunkDelayMs: 30 });
    const controller = new AbortController();
    const events: RouterEvent[] = [];
    for await (const event of router.stream({ system: "", messages: hello, tools: [], signal: controller.signal })) {
      events.push(event);
      if (event.type === "text_delta") controller.abort();
    }
    const done = events.at(-1);
    expect(done?.type === "done" && done.message.stopReason).toBe("aborted");
    expect(events.filter((e) => e.type === "attempt")).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it("a model without a key is skipped with the variable to set", async () => {
    const { run } = setup({
      agents: { defaults: { model: { primary: "openai/gpt-5.4", fallbacks: ["local/qwen-fake"] } } },
      models: {
        providers: { local: { baseUrl: fake.openaiBaseUrl, api: "openai-completions", models: [{ id: "qwen-fake" }] } },
      },
    });
    const { done, attempts } = await run();
    expect(attempts.map((a) => a.provider)).toEqual(["local"]);
    expect(done.error).toBeUndefined();
  });

  it("nothing configured, no key, no Ollama: not_configured with the actionable message", async () => {
    const { run } = setup({ models: { providers: { ollama: { baseUrl: CLOSED_URL } } } });
    const { done, attempts } = await run();
    expect(attempts).toHaveLength(0);
    expect(done.error).toMatchObject({ kind: "not_configured", message: NO_MODEL_CONFIGURED_MESSAGE });
    expect(done.message.stopReason).toBe("error");
  });

  it("only unconfigured models in the chain: not_configured naming what to set", async () => {
    const { run } = setup({
      agents: { defaults: { model: "openai/gpt-5.4" } },
      models: { providers: { ollama: { baseUrl: CLOSED_URL } } },
    });
    const { done } = await run();
    expect(done.error?.kind).toBe("not_configured");
    expect(done.error?.message).toContain("OPENAI_API_KEY");
  });

  it("nothing configured but Ollama runs: its first local model answers", async () => {
    const { run } = setup({ models: { providers: { ollama: { baseUrl: fake.url } } } });
    fake.enqueue({ text: "local hello" });
    const { done, attempts } = await run();
    expect(attempts).toEqual([{ type: "attempt", provider: "ollama", model: "llama-local", profile: 0 }]);
    expect(done.message.content).toEqual([{ type: "text", text: "local hello" }]);
  });

  it("an env key with no model configured uses that provider's default model", () => {
    const { router } = setup({}, { ANTHROPIC_API_KEY: "sk-ant-env-9999" });
    expect(router.resolveChain()).toEqual([{ provider: "anthropic", model: "claude-sonnet-4-6" }]);
  });
});

describe("ModelRouter config, status and list", () => {
  it("updateConfig switches the chain and forgets state of removed keys", async () => {
    const { router, run } = setup(twoKeys());
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 401 } });
    await run();
    const changed = twoKeys();
    if (changed.models?.providers?.anthropic) changed.models.providers.anthropic.apiKey = ["sk-ant-second-2222"];
    router.updateConfig(PincerConfigSchema.parse(changed));
    router.updateConfig(PincerConfigSchema.parse(twoKeys()));
    expect(router.status().find((p) => p.provider === "anthropic")?.profiles[0]?.available).toBe(true);
    router.updateConfig(
      PincerConfigSchema.parse({ agents: { defaults: { model: "local/qwen-fake" } }, models: twoKeys().models }),
    );
    expect(router.resolveChain()).toEqual([{ provider: "local", model: "qwen-fake" }]);
  });

  it("list() reports availability in OpenClaw's models.list shape", async () => {
    const { router, run } = setup(twoKeys(), {});
    fake.enqueueFor("sk-ant-first-1111", { error: { status: 429, retryAfterSec: 5 } });
    fake.enqueueFor("sk-ant-second-2222", { error: { status: 429, retryAfterSec: 9 } });
    fake.enqueueFor("qwen-fake", { text: "ok" });
    await run();
    const list = router.list();
    const claude = list.find((m) => m.id === "claude-fake");
    expect(claude).toMatchObject({
      provider: "anthropic",
      available: false,
      unavailableReason: "cooldown",
      contextWindow: 128_000,
      reasoning: false,
    });
    expect(list.find((m) => m.id === "gpt-5.4")).toMatchObject({
      provider: "openai",
      available: false,
      unavailableReason: "missing-auth",
      name: "GPT-5.4",
    });
    expect(list.find((m) => m.id === "qwen-fake")).toMatchObject({ provider: "local", available: true });
    router.resetCooldowns("anthropic");
    expect(router.list().find((m) => m.id === "claude-fake")?.available).toBe(true);
  });

  it("list() includes a running Ollama's models once probed", async () => {
    const { router } = setup({ models: { providers: { ollama: { baseUrl: fake.url } } } });
    await router.refreshLocalModels();
    expect(router.list().find((m) => m.provider === "ollama")).toMatchObject({ id: "llama-local", available: true });
  });
});
