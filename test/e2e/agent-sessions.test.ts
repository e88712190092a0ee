import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentGateway, protocolValidator, startAgentGateway, textOf } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** Session, model and usage methods, and the gateway's own slash commands. */
let t: AgentGateway;

beforeAll(async () => {
  t = await startAgentGateway();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.fake.reset();
});

const history = (sessionKey: string) => t.client.call<Any>("chat.history", { sessionKey });
const sessionsDir = () => join(t.gw.stateDir, "agents", "main", "sessions");

describe("session methods", () => {
  it("sessions.list shows sessions with tokens and cost, newest first, and filters", async () => {
    await t.turn("hello one", { sessionKey: "list-a" });
    await t.turn("hello two", { sessionKey: "list-b" });
    const list = await t.client.call<Any>("sessions.list", {});
    const keys = list.sessions.map((s: Any) => s.key);
    expect(keys.indexOf("agent:main:list-b")).toBeLessThan(keys.indexOf("agent:main:list-a"));
    const b = list.sessions.find((s: Any) => s.key === "agent:main:list-b");
    expect(b).toMatchObject({ agentId: "main" });
    expect(b.totalTokens).toBeGreaterThan(0);
    expect(b.estimatedCostUsd).toBeGreaterThan(0);
    const found = await t.client.call<Any>("sessions.list", { search: "list-a" });
    expect(found.sessions.map((s: Any) => s.key)).toEqual(["agent:main:list-a"]);
    const limited = await t.client.call<Any>("sessions.list", { limit: 1 });
    expect(limited.sessions).toHaveLength(1);
    expect(limited.count).toBeGreaterThanOrEqual(2);
  });

  it("sessions.preview returns short items per key", async () => {
    await t.turn("a".repeat(300), { sessionKey: "prev-1" });
    const res = await t.client.call<Any>("sessions.preview", { keys: ["prev-1", "never-used"], maxChars: 40 });
    const [p, missing] = res.previews;
    expect(p.key).toBe("prev-1");
    expect(p.status).toBe("ok");
    expect(p.items.map((i: Any) => i.role)).toEqual(["user", "assistant"]);
    expect(Array.from(p.items[0].text as string).length).toBeLessThanOrEqual(40);
    expect(["missing", "empty"]).toContain(missing.status);
  });

  it("sessions.patch sets a label and a model the next turn uses; bad models are refused", async () => {
    const patched = await t.client.call<Any>("sessions.patch", {
      key: "patch-1",
      label: "Trip planning",
      model: "fake/other-model",
    });
    expect(patched.entry).toMatchObject({ label: "Trip planning", model: "fake/other-model" });
    await t.turn("which model", { sessionKey: "patch-1" });
    expect(t.fake.requests.at(-1)?.model).toBe("other-model");
    expect((await history("patch-1")).model).toBe("fake/other-model");

    await expect(t.client.call("sessions.patch", { key: "patch-1", model: "no-slash" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    await t.client.call("sessions.patch", { key: "patch-1", model: null });
    await t.turn("back to default", { sessionKey: "patch-1" });
    expect(t.fake.requests.at(-1)?.model).toBe("fake-model");
  });

  it("sessions.reset starts a new transcript and archives the old one", async () => {
    await t.turn("remember this", { sessionKey: "reset-1" });
    const before = await history("reset-1");
    const res = await t.client.call<Any>("sessions.reset", { key: "reset-1" });
    expect(res.ok).toBe(true);
    expect(res.previousSessionId).toBe(before.sessionId);
    expect(res.entry.sessionId).not.toBe(before.sessionId);
    expect((await history("reset-1")).messages).toEqual([]);
    expect(readdirSync(sessionsDir()).some((f) => f.startsWith(`${before.sessionId}.jsonl.reset.`))).toBe(true);
    await t.turn("fresh start", { sessionKey: "reset-1" });
    expect(JSON.stringify(t.fake.requests.at(-1)?.body.messages)).not.toContain("remember this");
  });

  it("sessions.reset during a running turn stops it, and nothing of it lands in the new session", async () => {
    t.fake.enqueue({ text: Array.from({ length: 200 }, (_, i) => `r${i}`).join(" "), chunkDelayMs: 20 });
    const ack = await t.send("long answer please", { sessionKey: "reset-2" });
    await t.events.waitFor(
      (e) => e.event === "chat" && e.payload.runId === ack.runId && e.payload.state === "delta",
      5_000,
      "a delta",
    );
    const res = await t.client.call<Any>("sessions.reset", { key: "reset-2" });
    expect((await t.events.terminal(ack.runId)).state).toBe("aborted");
    const after = await history("reset-2");
    expect(after.sessionId).toBe(res.entry.sessionId);
    expect(after.messages).toEqual([]);
  });

  it("sessions.delete during a running turn stops it and the session stays deleted", async () => {
    t.fake.enqueue({ text: Array.from({ length: 200 }, (_, i) => `d${i}`).join(" "), chunkDelayMs: 20 });
    const ack = await t.send("long answer please", { sessionKey: "del-2" });
    await t.events.waitFor(
      (e) => e.event === "chat" && e.payload.runId === ack.runId && e.payload.state === "delta",
      5_000,
      "a delta",
    );
    await t.client.call<Any>("sessions.delete", { key: "del-2" });
    expect((await t.events.terminal(ack.runId)).state).toBe("aborted");
    const list = await t.client.call<Any>("sessions.list", {});
    expect(list.sessions.map((s: Any) => s.key)).not.toContain("agent:main:del-2");
  });

  it("sessions.delete removes the session from the list; the transcript is archived unless asked", async () => {
    await t.turn("delete me", { sessionKey: "del-1" });
    const { sessionId } = await history("del-1");
    const res = await t.client.call<Any>("sessions.delete", { key: "del-1" });
    expect(res.ok).toBe(true);
    const validDelete = protocolValidator("SessionsDeleteResult");
    expect(validDelete(res), JSON.stringify(validDelete.errors)).toBe(true);
    const list = await t.client.call<Any>("sessions.list", {});
    expect(list.sessions.map((s: Any) => s.key)).not.toContain("agent:main:del-1");
    const files = readdirSync(sessionsDir());
    expect(files).not.toContain(`${sessionId}.jsonl`);
    expect(files.some((f) => f.startsWith(`${sessionId}.jsonl.`))).toBe(true);
  });

  it("refuses an unknown agent with NOT_FOUND naming the configured agents", async () => {
    await expect(t.send("hi", { sessionKey: "x", agentId: "ghost" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(t.client.call("sessions.list", { agentId: "ghost" })).rejects.toThrow(/configured agents are main/);
  });
});

describe("models and usage methods", () => {
  it("models.list includes the configured model with its window", async () => {
    const result = await t.client.call<Any>("models.list", {});
    const validList = protocolValidator("ModelsListResult");
    expect(validList(result), JSON.stringify(validList.errors)).toBe(true);
    const { models } = result;
    const fake = models.find((m: Any) => m.provider === "fake" && m.id === "fake-model");
    expect(fake).toMatchObject({ contextWindow: 32_000 });
    expect(fake.available ?? true).toBe(true);
  });

  it("usage.status and usage.cost count the calls made so far", async () => {
    t.fake.enqueue({ text: "priced", usage: { input: 1_000_000, output: 0 } });
    await t.turn("pay", { sessionKey: "usage-1" });
    const status = await t.client.call<Any>("usage.status", {});
    expect(status.model).toMatchObject({ configured: true, ref: "fake/fake-model" });
    expect(status.today.totalCost).toBeGreaterThanOrEqual(3);
    expect(status.last31Days.totalCost).toBeGreaterThanOrEqual(status.today.totalCost);
    const cost = await t.client.call<Any>("usage.cost", { days: 7 });
    expect(cost.daily).toHaveLength(7);
    expect(cost.totals.calls).toBeGreaterThanOrEqual(1);
    expect(cost.byModel["fake/fake-model"].totalCost).toBeGreaterThanOrEqual(3);
    expect(cost.byAgent.main.calls).toBe(cost.totals.calls);
    expect(cost.byChannel.webchat.calls).toBeGreaterThanOrEqual(1);
    await expect(t.client.call("usage.cost", { days: 0 })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });
});

describe("slash commands", () => {
  it("/status reports the model, tokens and cost without calling the model", async () => {
    await t.turn("warm up", { sessionKey: "cmd-status" });
    const before = t.fake.requests.length;
    const final = await t.turn("/status", { sessionKey: "cmd-status" });
    expect(final.state).toBe("final");
    const text = textOf(final.message);
    expect(text).toContain("Session agent:main:cmd-status");
    expect(text).toContain("Model: fake/fake-model");
    expect(text).toMatch(/Tokens: \d+ in, \d+ out/);
    expect(text).toMatch(/Cost so far: \$0\.\d{4}/);
    expect(t.fake.requests.length).toBe(before);
  });

  it("/model shows, switches and resets the session's model; a bad reference is an error", async () => {
    const shown = await t.turn("/model", { sessionKey: "cmd-model" });
    expect(textOf(shown.message)).toMatch(/^Model: fake\/fake-model/);
    const set = await t.turn("/model fake/other-model", { sessionKey: "cmd-model" });
    expect(textOf(set.message)).toBe("This session now uses fake/other-model.");
    await t.turn("hi", { sessionKey: "cmd-model" });
    expect(t.fake.requests.at(-1)?.model).toBe("other-model");
    const reset = await t.turn("/model default", { sessionKey: "cmd-model" });
    expect(textOf(reset.message)).toBe("This session uses the default model again.");
    await t.turn("hi again", { sessionKey: "cmd-model" });
    expect(t.fake.requests.at(-1)?.model).toBe("fake-model");
    const bad = await t.turn("/model nonsense", { sessionKey: "cmd-model" });
    expect(bad.state).toBe("error");
    expect(bad.errorMessage).toMatch(/"nonsense" is not a model reference: use provider\/model/);
  });

  it("/new and /reset start a fresh session; command replies never reach the model", async () => {
    await t.turn("old context", { sessionKey: "cmd-new" });
    const { sessionId: first } = await history("cmd-new");
    const fresh = await t.turn("/new", { sessionKey: "cmd-new" });
    expect(textOf(fresh.message)).toMatch(/^Started a new session \([0-9a-z-]{8}\)/);
    const { sessionId: second } = await history("cmd-new");
    expect(second).not.toBe(first);
    await t.turn("/status", { sessionKey: "cmd-new" });
    await t.turn("new context", { sessionKey: "cmd-new" });
    const sent = t.fake.requests.at(-1)?.body.messages as Any[];
    expect(JSON.stringify(sent)).not.toContain("old context");
    expect(JSON.stringify(sent)).not.toContain("Started a new session");
    expect(JSON.stringify(sent)).not.toContain("Cost so far");
    expect(sent.filter((m) => m.role !== "system").map((m) => m.role)).toEqual(["user"]);
    // The user still sees the command replies in the history.
    expect((await history("cmd-new")).messages.map((m: Any) => textOf(m))).toEqual([
      expect.stringMatching(/^Started a new session/),
      expect.stringMatching(/^Session agent:main:cmd-new/),
      "new context",
      "echo: new context",
    ]);
    const reset = await t.turn("/reset", { sessionKey: "cmd-new" });
    expect(textOf(reset.message)).toMatch(/^Started a new session/);
    expect((await history("cmd-new")).sessionId).not.toBe(second);
  });

  it("every chat and agent event of this file conforms to the OpenClaw protocol schema", () => {
    expect(t.events.all.length).toBeGreaterThan(0);
    expect(t.events.violations()).toEqual([]);
  });
});
