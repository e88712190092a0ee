import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AgentGateway,
  agentEventErrors,
  chatEventErrors,
  fakeConfig,
  startAgentGateway,
  textOf,
} from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** The tool loop through the gateway, with the step bound at 2 (agents.defaults.maxSteps). */
let t: AgentGateway;

beforeAll(async () => {
  t = await startAgentGateway((fake) => fakeConfig(fake, { agentDefaults: { maxSteps: 2 } }));
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.fake.reset();
});

const toolEvents = (runId: string) => t.events.agent(runId).filter((e: Any) => e.stream === "tool");

describe("tool loop through the gateway", () => {
  it("runs session_status, feeds the result back, and finishes with the model's text", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "call_1", name: "session_status", args: {} }] },
      { text: "You are on fake/fake-model." },
    );
    const final = await t.turn("which model?", { sessionKey: "tool-1" });
    expect(final.state).toBe("final");
    expect(textOf(final.message)).toBe("You are on fake/fake-model.");
    expect(chatEventErrors(final)).toBeUndefined();

    const tools = toolEvents(final.runId);
    for (const e of tools) expect(agentEventErrors(e)).toBeUndefined();
    expect(tools.map((e: Any) => e.data.phase)).toEqual(["start", "result"]);
    expect(tools[0].data).toMatchObject({ name: "session_status", toolCallId: "call_1" });
    expect(tools[1].data).toMatchObject({ name: "session_status", toolCallId: "call_1", isError: false });
    expect(tools[1].data.result).toContain("model: fake/fake-model");

    // The second model request carries the tool call and its result.
    expect(t.fake.requests).toHaveLength(2);
    const second = t.fake.requests[1]?.body.messages as Any[];
    const toolMsg = second.find((m) => m.role === "tool");
    expect(toolMsg.tool_call_id).toBe("call_1");
    expect(JSON.stringify(toolMsg.content)).toContain("session: agent:main:tool-1");
    expect(t.fake.requests[0]?.body.tools.map((x: Any) => x.function.name)).toContain("session_status");

    const history = await t.client.call<Any>("chat.history", { sessionKey: "tool-1" });
    expect(history.messages.map((m: Any) => m.role)).toEqual(["user", "assistant", "toolResult", "assistant"]);
    expect(history.messages[1].stopReason).toBe("toolUse");
  });

  it("an unknown tool becomes an isError result the model sees, and the model carries on", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "call_x", name: "launch_rockets", args: { count: 3 } }] },
      { text: "I cannot launch rockets." },
    );
    const final = await t.turn("launch", { sessionKey: "tool-2" });
    expect(final.state).toBe("final");
    expect(textOf(final.message)).toBe("I cannot launch rockets.");
    const result = toolEvents(final.runId).find((e: Any) => e.data.phase === "result");
    expect(result.data).toMatchObject({ name: "launch_rockets", isError: true });
    expect(result.data.result).toMatch(/Unknown tool "launch_rockets".*session_status/);
    const fedBack = ((t.fake.requests[1]?.body.messages ?? []) as Any[]).find((m) => m.role === "tool");
    expect(JSON.stringify(fedBack.content)).toContain("Unknown tool");
  });

  it("bad tool arguments become an isError result", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "call_b", name: "session_status", args: { unexpected: true } }] },
      { text: "ok" },
    );
    const final = await t.turn("status with junk", { sessionKey: "tool-3" });
    const result = toolEvents(final.runId).find((e: Any) => e.data.phase === "result");
    // session_status takes no arguments; an extra one is either ignored or reported, never a crash.
    expect(final.state).toBe("final");
    expect(typeof result.data.isError).toBe("boolean");
  });

  it("stops at maxSteps with a clear message when the model keeps calling tools", async () => {
    t.fake.setDefault(() => ({ toolCalls: [{ name: "session_status", args: {} }] }));
    const final = await t.turn("loop forever", { sessionKey: "tool-4" });
    expect(t.fake.requests).toHaveLength(2);
    expect(["final", "error"]).toContain(final.state);
    expect(chatEventErrors(final)).toBeUndefined();
    expect(textOf(final.message)).toMatch(/Stopped after 2 model steps \(agents\.defaults\.maxSteps\)/);
    const history = await t.client.call<Any>("chat.history", { sessionKey: "tool-4" });
    expect(textOf(history.messages.at(-1))).toMatch(/maxSteps/);
    // Every tool call in the transcript has its result: the next turn's prompt is valid.
    t.fake.reset();
    const next = await t.turn("ok stop", { sessionKey: "tool-4" });
    expect(next.state).toBe("final");
    const sent = t.fake.requests[0]?.body.messages as Any[];
    const callIds = sent.flatMap((m) => (m.tool_calls ?? []).map((c: Any) => c.id));
    const answered = sent.filter((m) => m.role === "tool").map((m) => m.tool_call_id);
    expect(callIds).toHaveLength(2);
    expect(answered.sort()).toEqual([...callIds].sort());
  });

  it("every chat and agent event of this file conforms to the OpenClaw protocol schema", () => {
    expect(t.events.all.length).toBeGreaterThan(0);
    expect(t.events.violations()).toEqual([]);
  });
});
