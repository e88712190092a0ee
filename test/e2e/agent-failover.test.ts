import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentGateway, chatEventErrors, fakeConfig, startAgentGateway, textOf } from "./agent-gateway.js";
import { freePort } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * Key rotation and model fallback through the real gateway and the real provider SDKs. Key health is
 * gateway-wide, so each test works on its own provider: "fake" (k1, k2) for 429, "spare" (k3, k4) for 401.
 */
let t: AgentGateway;

beforeAll(async () => {
  const deadPort = await freePort(); // nothing listens there: connection refused
  t = await startAgentGateway((fake) => {
    const config = fakeConfig(fake, {
      withBackup: true,
      fallbacks: ["backup/backup-model", "dead/dead-model"],
    }) as Any;
    config.models.providers.spare = {
      baseUrl: fake.openaiBaseUrl,
      apiKey: ["k3", "k4"],
      api: "openai-completions",
      models: [{ id: "spare-model", contextWindow: 32_000 }],
    };
    config.models.providers.dead = {
      baseUrl: `http://127.0.0.1:${deadPort}/v1`,
      apiKey: "kd",
      api: "openai-completions",
      models: [{ id: "dead-model", contextWindow: 32_000 }],
    };
    return config;
  });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.fake.reset();
});

const profilesOf = async (provider: string) => {
  const status = await t.client.call<Any>("usage.status", {});
  return status.providers.find((p: Any) => p.provider === provider).profiles;
};

describe("model failover through the gateway", () => {
  it("429 on the first key: the second key answers and the first cools down", async () => {
    t.fake.enqueueFor("k1", { error: { status: 429, message: "slow down", retryAfterSec: 120 } });
    const final = await t.turn("rate limited?", { sessionKey: "rl-1" });
    expect(final.state).toBe("final");
    expect(textOf(final.message)).toBe("echo: rate limited?");
    expect(t.fake.requests.map((r) => r.apiKey)).toEqual(["k1", "k2"]);

    const attempts = t.events.agent(final.runId).filter((e: Any) => e.stream === "model");
    expect(attempts.map((e: Any) => e.data.profile)).toEqual([0, 1]);
    expect(attempts[1].data.reason).toBeTruthy();

    const [k1, k2] = await profilesOf("fake");
    expect(k1).toMatchObject({ available: false, unavailableReason: "cooldown" });
    expect(k1.lastError).toMatchObject({ kind: "rate_limit", httpStatus: 429 });
    // retry-after 120 s is honoured (give or take the test's own runtime).
    expect(k1.cooldownUntil - Date.now()).toBeGreaterThan(100_000);
    expect(k2.available).toBe(true);
    // Secrets stay out of the status.
    expect(JSON.stringify(await profilesOf("fake"))).not.toMatch(/"k1"|"k2"/);

    // While k1 cools down, the next turn goes straight to k2.
    await t.turn("again", { sessionKey: "rl-1" });
    expect(t.fake.requests.map((r) => r.apiKey)).toEqual(["k1", "k2", "k2"]);
  });

  it("401 on the first key: rotates to the second at once and marks the first as failed", async () => {
    await t.client.call("sessions.patch", { key: "auth-1", model: "spare/spare-model" });
    t.fake.enqueueFor("k3", { error: { status: 401, message: "invalid api key" } });
    const final = await t.turn("who am I", { sessionKey: "auth-1" });
    expect(final.state).toBe("final");
    expect(textOf(final.message)).toBe("echo: who am I");
    expect(t.fake.requests.map((r) => [r.apiKey, r.model])).toEqual([
      ["k3", "spare-model"],
      ["k4", "spare-model"],
    ]);
    const [k3, k4] = await profilesOf("spare");
    expect(k3).toMatchObject({ available: false, unavailableReason: "auth-failed" });
    expect(k4.available).toBe(true);
  });

  it("all providers down: a clear error lists every attempt; the session survives and the next turn works", async () => {
    t.fake.setDefault(() => ({ error: { status: 500, message: "upstream exploded" } }));
    const failed = await t.turn("anyone there?", { sessionKey: "down-1" });
    expect(failed.state).toBe("error");
    expect(chatEventErrors(failed)).toBeUndefined();
    const msg: string = failed.errorMessage;
    expect(msg).toMatch(/^All models failed/);
    expect(msg).toContain("fake/fake-model");
    expect(msg).toContain("backup/backup-model");
    expect(msg).toContain("dead/dead-model");
    expect(msg).toMatch(/HTTP 500/);
    expect(msg).toMatch(/network/);
    // 500s earn one retry per model, never a key penalty.
    expect(t.fake.requests.filter((r) => r.model === "fake-model")).toHaveLength(2);
    expect(t.fake.requests.filter((r) => r.model === "backup-model")).toHaveLength(2);

    const history = await t.client.call<Any>("chat.history", { sessionKey: "down-1" });
    expect(history.messages.map((m: Any) => m.role)).toEqual(["user", "assistant"]);
    expect(history.messages[1].stopReason).toBe("error");

    t.fake.reset();
    const next = await t.turn("now?", { sessionKey: "down-1" });
    expect(next.state).toBe("final");
    expect(textOf(next.message)).toBe("echo: now?");
    const after = await t.client.call<Any>("chat.history", { sessionKey: "down-1" });
    expect(after.messages.map((m: Any) => textOf(m)).slice(-2)).toEqual(["now?", "echo: now?"]);
  });

  it("a stream cut mid-reply ends in an error with the partial text; the transcript stays readable", async () => {
    const text = "one two three four five six seven eight nine ten";
    t.fake.enqueue({ text, cutAfterChunks: 4, chunkDelayMs: 5 });
    const failed = await t.turn("tell me a story", { sessionKey: "cut-1" });
    expect(failed.state).toBe("error");
    expect(chatEventErrors(failed)).toBeUndefined();
    expect(failed.errorMessage).toMatch(/closed|connection|terminated|network/i);
    const partial = textOf(failed.message);
    expect(partial.length).toBeGreaterThan(0);
    expect(text.startsWith(partial)).toBe(true);
    // Text already shown is never retried on another key or model.
    expect(t.fake.requests).toHaveLength(1);
    expect(failed.errorDetail).toEqual({ provider: "fake", model: "fake-model" });

    const history = await t.client.call<Any>("chat.history", { sessionKey: "cut-1" });
    expect(history.messages.map((m: Any) => m.role)).toEqual(["user", "assistant"]);
    expect(textOf(history.messages[1])).toBe(partial);
    expect(history.messages[1].stopReason).toBe("error");

    const next = await t.turn("continue", { sessionKey: "cut-1" });
    expect(next.state).toBe("final");
    expect(textOf(next.message)).toBe("echo: continue");
  });
  it("falls back to the next model when the primary is down", async () => {
    t.fake.enqueueFor("fake-model", { error: { status: 503 } }, { error: { status: 503 } });
    const final = await t.turn("fallback please", { sessionKey: "fb-1" });
    expect(final.state).toBe("final");
    expect(final.message.provider).toBe("backup");
    expect(t.fake.requests.at(-1)?.api).toBe("anthropic");
  });

  it("every chat and agent event of this file conforms to the OpenClaw protocol schema", () => {
    expect(t.events.all.length).toBeGreaterThan(0);
    expect(t.events.violations()).toEqual([]);
  });
});
