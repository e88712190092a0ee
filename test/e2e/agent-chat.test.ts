import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentGateway, agentEventErrors, chatEventErrors, startAgentGateway, textOf } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

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

describe("chat.send through the gateway", () => {
  it("streams deltas then a final with usage and cost, persists the turn, and emits agent events", async () => {
    t.fake.enqueue({ text: "Hello there, this reply arrives in several words.", usage: { input: 1000, output: 200 } });
    const ack = await t.send("hi", { sessionKey: "stream-1" });
    expect(ack.status).toBe("accepted");
    expect(ack.sessionKey).toBe("agent:main:stream-1");
    const final = await t.events.terminal(ack.runId);

    expect(final.state).toBe("final");
    expect(textOf(final.message)).toBe("Hello there, this reply arrives in several words.");
    expect(final.usage).toMatchObject({ input: 1000, output: 200, totalTokens: 1200 });
    // fake-model costs $3 / $15 per million tokens.
    expect(final.usage.cost.total).toBeCloseTo((1000 * 3 + 200 * 15) / 1e6, 10);

    const chat = t.events.chat(ack.runId);
    const deltas = chat.filter((e: Any) => e.state === "delta");
    expect(deltas.length).toBeGreaterThanOrEqual(1);
    expect(deltas.map((d: Any) => d.deltaText).join("")).toBe(textOf(final.message));
    expect(chat.map((e: Any) => e.seq)).toEqual(chat.map((_: Any, i: number) => i));
    for (const e of chat) expect(chatEventErrors(e), JSON.stringify(e)).toBeUndefined();

    // lifecycle end follows the chat final in the next frame.
    await t.events.waitFor(
      (e) => e.event === "agent" && e.payload.runId === ack.runId && e.payload.data?.phase === "end",
      5_000,
      "lifecycle end",
    );
    const agent = t.events.agent(ack.runId);
    for (const e of agent) expect(agentEventErrors(e), JSON.stringify(e)).toBeUndefined();
    const lifecycle = agent.filter((e: Any) => e.stream === "lifecycle").map((e: Any) => e.data.phase);
    expect(lifecycle[0]).toBe("start");
    expect(lifecycle.at(-1)).toBe("end");
    const assistant = agent.filter((e: Any) => e.stream === "assistant");
    expect(assistant.map((e: Any) => e.data.delta).join("")).toBe(textOf(final.message));
    expect(agent.map((e: Any) => e.seq)).toEqual(agent.map((_: Any, i: number) => i));

    const history = await t.client.call<Any>("chat.history", { sessionKey: "stream-1" });
    expect(history.messages.map((m: Any) => m.role)).toEqual(["user", "assistant"]);
    expect(textOf(history.messages[0])).toBe("hi");
    expect(textOf(history.messages[1])).toBe(textOf(final.message));
    expect(history.inFlightRun).toBeNull();
  });

  it("sends the prior turns of the session to the model", async () => {
    await t.turn("first question", { sessionKey: "context-1" });
    await t.turn("second question", { sessionKey: "context-1" });
    const last = t.fake.requests.at(-1);
    const bodyText = JSON.stringify(last?.body.messages);
    expect(bodyText).toContain("first question");
    expect(bodyText).toContain("echo: first question");
    expect(last?.lastUserText).toBe("second question");
  });

  it("runs a duplicate idempotencyKey once and says the second is in flight or done", async () => {
    t.fake.enqueue({ text: "only once", chunkDelayMs: 30 });
    const idempotencyKey = randomUUID();
    const first = await t.send("dup", { sessionKey: "dup-1", idempotencyKey });
    const second = await t.send("dup", { sessionKey: "dup-1", idempotencyKey });
    expect(second.runId).toBe(first.runId);
    expect(second.cached).toBe(true);
    expect(["in_flight", "ok"]).toContain(second.status);
    await t.events.terminal(first.runId);
    const third = await t.send("dup", { sessionKey: "dup-1", idempotencyKey });
    expect(third).toMatchObject({ runId: first.runId, status: "ok", cached: true });
    expect(t.fake.requests.filter((r) => r.lastUserText === "dup")).toHaveLength(1);
    const history = await t.client.call<Any>("chat.history", { sessionKey: "dup-1" });
    expect(history.messages.filter((m: Any) => m.role === "user")).toHaveLength(1);
  });

  it("refuses a 5 MB message with PAYLOAD_TOO_LARGE and keeps serving", async () => {
    const big = "x".repeat(5 * 1024 * 1024);
    const err = await t.send(big, { sessionKey: "big-1" }).catch((e: Any) => e);
    expect(err.code).toBe("PAYLOAD_TOO_LARGE");
    expect(err.message).toMatch(/limit is 1,000,000/);
    expect(err.message).toMatch(/split|attachment/);
    expect(t.fake.requests).toHaveLength(0);
    const final = await t.turn("small", { sessionKey: "big-1" });
    expect(textOf(final.message)).toBe("echo: small");
    const history = await t.client.call<Any>("chat.history", { sessionKey: "big-1" });
    expect(history.messages.map((m: Any) => textOf(m))).toEqual(["small", "echo: small"]);
  });

  it("rejects an empty message and bad params with INVALID_REQUEST", async () => {
    await expect(t.send("   ")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(t.client.call("chat.send", { sessionKey: "x", message: "hi" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
  });

  it("aborts a slow stream quickly and records the partial text with stopReason aborted", async () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(" ");
    t.fake.enqueue({ text: words, chunkDelayMs: 50 });
    const ack = await t.send("go slowly", { sessionKey: "abort-1" });
    await t.events.waitFor(
      (e) => e.event === "chat" && e.payload.runId === ack.runId && e.payload.state === "delta",
      5_000,
      "first delta",
    );
    const abortAt = Date.now();
    const res = await t.client.call<Any>("chat.abort", { sessionKey: "abort-1" });
    expect(res).toMatchObject({ ok: true, aborted: true, runIds: [ack.runId] });
    const terminal = await t.events.waitFor(
      (e) => e.event === "chat" && e.payload.runId === ack.runId && e.payload.state !== "delta",
      5_000,
      "aborted event",
    );
    const latencyMs = terminal.at - abortAt;
    console.log(`abort latency: ${latencyMs} ms (chat.abort sent → aborted event received)`);
    expect(terminal.payload.state).toBe("aborted");
    expect(chatEventErrors(terminal.payload)).toBeUndefined();
    expect(latencyMs).toBeLessThan(1_000);

    const history = await t.client.call<Any>("chat.history", { sessionKey: "abort-1" });
    const last = history.messages.at(-1);
    expect(last.role).toBe("assistant");
    expect(last.stopReason).toBe("aborted");
    const partial = textOf(last);
    expect(partial.length).toBeGreaterThan(0);
    expect(words.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(words.length);

    // The session goes on.
    const next = await t.turn("after abort", { sessionKey: "abort-1" });
    expect(textOf(next.message)).toBe("echo: after abort");
  });

  it("agent + agent.wait return the run's outcome", async () => {
    t.fake.enqueue({ text: "waited reply", chunkDelayMs: 20 });
    const ack = await t.client.call<Any>("agent", {
      message: "via agent",
      idempotencyKey: randomUUID(),
      sessionKey: "agent-1",
    });
    expect(ack.status).toBe("accepted");
    const waited = await t.client.call<Any>("agent.wait", { runId: ack.runId, timeoutMs: 10_000 });
    expect(waited).toMatchObject({ runId: ack.runId, status: "ok", text: "waited reply" });
    expect(waited.endedAt).toBeGreaterThanOrEqual(waited.startedAt);
    expect(waited.usage.totalTokens).toBeGreaterThan(0);

    t.fake.enqueue({ text: "slow", delayMs: 2_000 });
    const slow = await t.client.call<Any>("agent", {
      message: "slow one",
      idempotencyKey: randomUUID(),
      sessionKey: "agent-1",
    });
    const timedOut = await t.client.call<Any>("agent.wait", { runId: slow.runId, timeoutMs: 50 });
    expect(timedOut.status).toBe("timeout");
    await t.client.call("chat.abort", { sessionKey: "agent-1" });

    await expect(t.client.call("agent.wait", { runId: "no-such-run" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("every chat and agent event of this file conforms to the OpenClaw protocol schema", () => {
    expect(t.events.all.length).toBeGreaterThan(0);
    expect(t.events.violations()).toEqual([]);
  });
});
