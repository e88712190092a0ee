import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentGateway, chatEventErrors, startAgentGateway, textOf } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** Per-session queue modes and /stop, through the gateway. Each test uses its own session key. */
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

const slowText = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`).join(" ");
const firstDelta = (runId: string) =>
  t.events.waitFor(
    (e) => e.event === "chat" && e.payload.runId === runId && e.payload.state === "delta",
    5_000,
    `first delta of ${runId}`,
  );
const terminalAt = async (runId: string) => {
  await t.events.terminal(runId);
  return t.events.all.find((e) => e.event === "chat" && e.payload.runId === runId && e.payload.state !== "delta")
    ?.at as number;
};
const historyTexts = async (sessionKey: string) =>
  (await t.client.call<Any>("chat.history", { sessionKey })).messages.map((m: Any) => `${m.role}:${textOf(m)}`);

describe("queue modes through the gateway", () => {
  it("collect: a message sent during a turn waits for it, then runs as the next turn", async () => {
    t.fake.enqueue({ text: slowText(10), chunkDelayMs: 20 });
    const a = await t.send("A", { sessionKey: "collect-1" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "collect-1", queueMode: "collect" });
    expect(b.status).toBe("accepted");
    const aEnd = await terminalAt(a.runId);
    const bFinal = await t.events.terminal(b.runId);
    expect(bFinal.state).toBe("final");
    expect(textOf(bFinal.message)).toBe("echo: B");
    const bRequest = t.fake.requests.find((r) => r.lastUserText === "B");
    expect(bRequest?.receivedAt).toBeGreaterThanOrEqual(aEnd - 5);
    expect(await historyTexts("collect-1")).toEqual([
      "user:A",
      `assistant:${slowText(10)}`,
      "user:B",
      "assistant:echo: B",
    ]);
  });

  it("collect: messages that pile up during a turn go to the model together, and every run ends", async () => {
    t.fake.enqueue({ text: slowText(10), chunkDelayMs: 20 });
    const a = await t.send("A", { sessionKey: "collect-2" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "collect-2" });
    const c = await t.send("C", { sessionKey: "collect-2" });
    const bEnd = await t.events.terminal(b.runId);
    const cEnd = await t.events.terminal(c.runId);
    expect(bEnd.state).toBe("final");
    expect(cEnd.state).toBe("final");
    for (const e of [bEnd, cEnd]) expect(chatEventErrors(e)).toBeUndefined();
    expect(t.fake.requests).toHaveLength(2);
    const batched = JSON.stringify(t.fake.requests[1]?.body.messages);
    expect(batched).toContain('"B"');
    expect(batched).toContain('"C"');
    const waited = await t.client.call<Any>("agent.wait", { runId: c.runId, timeoutMs: 1_000 });
    expect(waited.status).toBe("ok");
  });

  it("followup: each queued message gets its own turn, in order", async () => {
    t.fake.enqueue({ text: slowText(10), chunkDelayMs: 20 });
    const a = await t.send("A", { sessionKey: "follow-1", queueMode: "followup" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "follow-1", queueMode: "followup" });
    const c = await t.send("C", { sessionKey: "follow-1", queueMode: "followup" });
    expect(textOf((await t.events.terminal(b.runId)).message)).toBe("echo: B");
    expect(textOf((await t.events.terminal(c.runId)).message)).toBe("echo: C");
    expect(t.fake.requests.map((r) => r.lastUserText)).toEqual(["A", "B", "C"]);
    expect((await historyTexts("follow-1")).filter((x: string) => x.startsWith("user:"))).toEqual([
      "user:A",
      "user:B",
      "user:C",
    ]);
  });

  it("followup messages are not swallowed by a collect turn", async () => {
    t.fake.enqueue({ text: slowText(10), chunkDelayMs: 20 });
    const a = await t.send("A", { sessionKey: "mixed-1" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "mixed-1", queueMode: "collect" });
    const c = await t.send("C", { sessionKey: "mixed-1", queueMode: "followup" });
    expect(textOf((await t.events.terminal(b.runId)).message)).toBe("echo: B");
    expect(textOf((await t.events.terminal(c.runId)).message)).toBe("echo: C");
    expect(t.fake.requests.map((r) => r.lastUserText)).toEqual(["A", "B", "C"]);
  });

  it("interrupt: aborts the running turn and answers the new message", async () => {
    t.fake.enqueue({ text: slowText(200), chunkDelayMs: 30 });
    const a = await t.send("A", { sessionKey: "int-1" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "int-1", queueMode: "interrupt" });
    const aEnd = await t.events.terminal(a.runId);
    expect(aEnd.state).toBe("aborted");
    const bEnd = await t.events.terminal(b.runId);
    expect(textOf(bEnd.message)).toBe("echo: B");
    const texts = await historyTexts("int-1");
    expect(texts[0]).toBe("user:A");
    expect(texts.slice(-2)).toEqual(["user:B", "assistant:echo: B"]);
    const history = await t.client.call<Any>("chat.history", { sessionKey: "int-1" });
    expect(history.messages[1].stopReason).toBe("aborted");
  });

  it("interrupt: also drops messages still waiting, but never the interrupting one", async () => {
    t.fake.enqueue({ text: slowText(200), chunkDelayMs: 30 });
    const a = await t.send("A", { sessionKey: "int-2", queueMode: "followup" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "int-2", queueMode: "followup" });
    const c = await t.send("C", { sessionKey: "int-2", queueMode: "interrupt" });
    expect((await t.events.terminal(a.runId)).state).toBe("aborted");
    expect((await t.events.terminal(b.runId)).state).toBe("aborted");
    const cEnd = await t.events.terminal(c.runId);
    expect(cEnd.state).toBe("final");
    expect(textOf(cEnd.message)).toBe("echo: C");
    expect(t.fake.requests.map((r) => r.lastUserText)).toEqual(["A", "C"]);
  });

  it("steer: a message sent during a tool step joins the running turn before its next model call", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "call_s", name: "session_status", args: {} }], delayMs: 300 },
      { text: "steered reply" },
    );
    const a = await t.send("A", { sessionKey: "steer-1" });
    await t.events.waitFor(
      (e) => e.event === "agent" && e.payload.runId === a.runId && e.payload.stream === "model",
      5_000,
      "A's model attempt",
    );
    const b = await t.send("B", { sessionKey: "steer-1", queueMode: "steer" });
    const aEnd = await t.events.terminal(a.runId);
    expect(textOf(aEnd.message)).toBe("steered reply");
    const bEnd = await t.events.terminal(b.runId);
    expect(bEnd.state).toBe("final");
    expect(t.fake.requests).toHaveLength(2);
    expect(t.fake.requests[1]?.lastUserText).toBe("B");
    expect(await historyTexts("steer-1")).toEqual([
      "user:A",
      "assistant:",
      expect.stringMatching(/^toolResult:session: agent:main:steer-1/),
      "user:B",
      "assistant:steered reply",
    ]);
  });

  it("steer: with no tool step to join, the message runs as the next turn", async () => {
    t.fake.enqueue({ text: slowText(10), chunkDelayMs: 20 });
    const a = await t.send("A", { sessionKey: "steer-2" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "steer-2", queueMode: "steer" });
    expect(textOf((await t.events.terminal(a.runId)).message)).toBe(slowText(10));
    expect(textOf((await t.events.terminal(b.runId)).message)).toBe("echo: B");
    expect(t.fake.requests.map((r) => r.lastUserText)).toEqual(["A", "B"]);
  });

  it("chat.abort without a runId also ends queued runs with an aborted event", async () => {
    t.fake.enqueue({ text: slowText(200), chunkDelayMs: 30 });
    const a = await t.send("A", { sessionKey: "abortq-1" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "abortq-1", queueMode: "followup" });
    await t.client.call("chat.abort", { sessionKey: "abortq-1" });
    expect((await t.events.terminal(a.runId)).state).toBe("aborted");
    const bEnd = await t.events.terminal(b.runId, 2_000);
    expect(bEnd.state).toBe("aborted");
    expect(chatEventErrors(bEnd)).toBeUndefined();
    expect(t.fake.requests.map((r) => r.lastUserText)).toEqual(["A"]);
  });

  it("chat.abort with the runId of a queued run drops just that run", async () => {
    t.fake.enqueue({ text: slowText(10), chunkDelayMs: 20 });
    const a = await t.send("A", { sessionKey: "abortq-2" });
    await firstDelta(a.runId);
    const b = await t.send("B", { sessionKey: "abortq-2", queueMode: "followup" });
    const c = await t.send("C", { sessionKey: "abortq-2", queueMode: "followup" });
    await t.client.call("chat.abort", { sessionKey: "abortq-2", runId: b.runId });
    expect((await t.events.terminal(b.runId)).state).toBe("aborted");
    expect((await t.events.terminal(a.runId)).state).toBe("final");
    expect(textOf((await t.events.terminal(c.runId)).message)).toBe("echo: C");
    expect(t.fake.requests.map((r) => r.lastUserText)).toEqual(["A", "C"]);
  });

  it("/stop stops the running turn at once instead of queueing behind it", async () => {
    t.fake.enqueue({ text: slowText(300), chunkDelayMs: 30 });
    const a = await t.send("A", { sessionKey: "stop-1" });
    await firstDelta(a.runId);
    const sentAt = Date.now();
    const stop = await t.send("/stop", { sessionKey: "stop-1", idempotencyKey: randomUUID() });
    const stopReply = await t.events.terminal(stop.runId, 2_000);
    expect(textOf(stopReply.message)).toBe("Stopped the running reply.");
    const aEndAt = await terminalAt(a.runId);
    expect((await t.events.terminal(a.runId)).state).toBe("aborted");
    expect(aEndAt - sentAt).toBeLessThan(1_000);

    const idle = await t.send("/stop", { sessionKey: "stop-1" });
    expect(textOf((await t.events.terminal(idle.runId)).message)).toBe("Nothing is running.");
  });

  it("every chat and agent event of this file conforms to the OpenClaw protocol schema", () => {
    expect(t.events.all.length).toBeGreaterThan(0);
    expect(t.events.violations()).toEqual([]);
  });
});
