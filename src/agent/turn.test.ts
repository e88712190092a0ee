import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AgentMessage, AssistantMessage, ToolCallPart, Usage } from "../sessions/messages.js";
import { type AgentTool, defineTool, textResult } from "../tools/tool.js";
import { type ModelRequest, type ModelStreamEvent, runTurn, type TurnDeps, type TurnEvent } from "./turn.js";

/** One scripted model step: deltas streamed, then the final message (or nothing, for a stream that just ends). */
interface Step {
  deltas?: string[];
  final?: AssistantMessage;
  error?: { kind: string; message: string };
}

function usage(input: number, output: number): Usage {
  return {
    input,
    output,
    cacheRead: 0,
    cacheWrite: 0,
    reasoning: 0,
    totalTokens: input + output,
    cost: { input: input / 1e6, output: output / 1e6, cacheRead: 0, cacheWrite: 0, total: (input + output) / 1e6 },
  };
}

function reply(text: string, extra: Partial<AssistantMessage> = {}): AssistantMessage {
  return {
    role: "assistant",
    content: [{ type: "text", text }],
    stopReason: "stop",
    usage: usage(10, 5),
    timestamp: 1,
    ...extra,
  };
}

function callReply(calls: ToolCallPart[], extra: Partial<AssistantMessage> = {}): AssistantMessage {
  return { role: "assistant", content: calls, stopReason: "toolUse", usage: usage(10, 5), timestamp: 1, ...extra };
}

const call = (name: string, args: Record<string, unknown> = {}, id = `id-${name}`): ToolCallPart => ({
  type: "toolCall",
  id,
  name,
  arguments: args,
});

/** A scripted model: each request consumes the next step. Records what each request carried. */
function scripted(steps: Step[]) {
  const requests: ModelRequest[] = [];
  const stream = async function* (req: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    requests.push({ ...req, messages: [...req.messages] });
    const step = steps.shift();
    if (!step) throw new Error("the script ran out of steps");
    yield { type: "attempt", provider: "p", model: "m", profile: 0 };
    for (const delta of step.deltas ?? []) yield { type: "text_delta", delta };
    if (step.final) yield { type: "done", message: step.final, ...(step.error ? { error: step.error } : {}) };
  };
  return { stream, requests };
}

const echoTool = defineTool({
  name: "echo",
  description: "echoes its text",
  parameters: z.object({ text: z.string() }),
  async execute(_id, args, ctx) {
    ctx.onUpdate?.(`echoing ${args.text}`);
    return textResult(`echoed ${args.text}`);
  },
});

const throwingTool = defineTool({
  name: "boom",
  description: "always throws",
  parameters: z.object({}),
  async execute() {
    throw new Error("kaboom");
  },
});

const user: AgentMessage = { role: "user", content: "hi", timestamp: 0 };

function harness(steps: Step[], opts: Partial<TurnDeps> & { signal?: AbortSignal } = {}) {
  const model = scripted(steps);
  const events: TurnEvent[] = [];
  const persisted: AgentMessage[] = [];
  const deps: TurnDeps = {
    stream: model.stream,
    tools: [echoTool, throwingTool] as AgentTool[],
    maxSteps: 5,
    emit: (e) => events.push(e),
    persist: async (m) => {
      persisted.push(m);
    },
    now: () => 42,
    ...opts,
  };
  const run = () =>
    runTurn(
      {
        agentId: "main",
        sessionKey: "agent:main:main",
        system: "sys",
        context: [user],
        signal: opts.signal ?? new AbortController().signal,
      },
      deps,
    );
  return { run, events, persisted, requests: model.requests };
}

describe("runTurn", () => {
  it("streams a text reply: cumulative deltas, one persisted message, usage", async () => {
    const h = harness([{ deltas: ["Hel", "lo"], final: reply("Hello") }]);
    const result = await h.run();
    expect(result.final.content).toEqual([{ type: "text", text: "Hello" }]);
    expect(result.steps).toBe(1);
    expect(result.usage.totalTokens).toBe(15);
    expect(result.error).toBeUndefined();
    expect(h.persisted).toEqual([result.final]);
    expect(h.events.map((e) => e.type)).toEqual(["model_attempt", "text_delta", "text_delta", "message"]);
    expect(h.events.filter((e) => e.type === "text_delta").map((e) => (e as { text: string }).text)).toEqual([
      "Hel",
      "Hello",
    ]);
    expect(h.requests[0]?.messages).toEqual([user]);
    expect(h.requests[0]?.tools.map((t) => t.name)).toEqual(["echo", "boom"]);
  });

  it("runs a tool call with validated arguments, feeds the result back, and sums usage over steps", async () => {
    const h = harness([{ final: callReply([call("echo", { text: "x" })]) }, { final: reply("done") }]);
    const result = await h.run();
    expect(result.steps).toBe(2);
    expect(result.usage.totalTokens).toBe(30);
    expect(h.persisted.map((m) => m.role)).toEqual(["assistant", "toolResult", "assistant"]);
    expect(h.persisted[1]).toMatchObject({
      role: "toolResult",
      toolCallId: "id-echo",
      toolName: "echo",
      isError: false,
      content: [{ type: "text", text: "echoed x" }],
      timestamp: 42,
    });
    expect(h.requests[1]?.messages.map((m) => m.role)).toEqual(["user", "assistant", "toolResult"]);
    const toolEvents = h.events.filter((e) => e.type.startsWith("tool_")).map((e) => e.type);
    expect(toolEvents).toEqual(["tool_start", "tool_update", "tool_end"]);
  });

  it.each([
    ["an unknown tool", call("nope"), /^Unknown tool "nope"\. Available tools: echo, boom\.$/],
    ["bad arguments", call("echo", { text: 5 }), /^Invalid arguments for echo: /],
    ["a throwing tool", call("boom"), /^Tool boom failed: kaboom$/],
  ])("turns %s into an isError result and goes on", async (_name, bad, message) => {
    const h = harness([{ final: callReply([bad]) }, { final: reply("recovered") }]);
    const result = await h.run();
    expect(result.final.content).toEqual([{ type: "text", text: "recovered" }]);
    const toolResult = h.persisted[1];
    expect(toolResult).toMatchObject({ role: "toolResult", isError: true });
    const text =
      toolResult?.role === "toolResult" && toolResult.content[0]?.type === "text" ? toolResult.content[0].text : "";
    expect(text).toMatch(message);
  });

  it("stops at maxSteps with a message saying so", async () => {
    const h = harness(
      [{ final: callReply([call("echo", { text: "1" })]) }, { final: callReply([call("echo", { text: "2" })]) }],
      { maxSteps: 2 },
    );
    const result = await h.run();
    expect(result.steps).toBe(2);
    expect(result.error).toEqual({ kind: "max_steps", message: "stopped after 2 steps" });
    expect(result.final.stopReason).toBe("length");
    expect(result.final.content).toEqual([
      { type: "text", text: "Stopped after 2 model steps (agents.defaults.maxSteps). Ask me to continue if needed." },
    ]);
    // The second step's tool call is not run.
    expect(h.persisted.map((m) => m.role)).toEqual(["assistant", "toolResult", "assistant", "assistant"]);
  });

  it("never runs tool calls of a reply cut by the length limit", async () => {
    const h = harness([{ final: callReply([call("echo", { text: "trunc" })], { stopReason: "length" }) }]);
    const result = await h.run();
    expect(result.steps).toBe(1);
    expect(h.persisted.map((m) => m.role)).toEqual(["assistant"]);
  });

  it("returns a model failure as a value", async () => {
    const failed = reply("", { stopReason: "error", errorMessage: "All models failed: x", content: [] });
    const h = harness([{ final: failed, error: { kind: "rate_limit", message: "All models failed: x" } }]);
    const result = await h.run();
    expect(result.final.stopReason).toBe("error");
    expect(result.error).toEqual({ kind: "rate_limit", message: "All models failed: x" });
    expect(h.persisted).toEqual([failed]);
  });

  it("records a stream that ends without a result as an error, keeping the text so far", async () => {
    const h = harness([{ deltas: ["partial"] }]);
    const result = await h.run();
    expect(result.final).toMatchObject({
      stopReason: "error",
      errorMessage: "the model stream ended without a result",
      content: [{ type: "text", text: "partial" }],
    });
    expect(h.persisted).toHaveLength(1);
  });

  it("stops after the running tool when the signal fires, leaving the rest unrun", async () => {
    const controller = new AbortController();
    const stopper = defineTool({
      name: "stopper",
      description: "aborts the turn",
      parameters: z.object({}),
      async execute(_id, _args, ctx) {
        controller.abort();
        return textResult(ctx.signal.aborted ? "saw abort" : "no abort");
      },
    });
    const h = harness([{ final: callReply([call("stopper"), call("echo", { text: "never" })]) }], {
      tools: [stopper, echoTool] as AgentTool[],
      signal: controller.signal,
    });
    const result = await h.run();
    expect(result.error).toEqual({ kind: "aborted", message: "aborted after a tool call" });
    expect(h.persisted.map((m) => m.role)).toEqual(["assistant", "toolResult"]);
    expect(h.requests).toHaveLength(1);
  });

  it("injects steering messages before the next model call and persists them", async () => {
    const steered: AgentMessage = { role: "user", content: "also this", timestamp: 5 };
    let drained = false;
    const h = harness([{ final: callReply([call("echo", { text: "a" })]) }, { final: reply("both") }], {
      drainSteering: () => {
        if (drained) return [];
        drained = true;
        return [steered];
      },
    });
    await h.run();
    expect(h.requests[1]?.messages.at(-1)).toEqual(steered);
    expect(h.persisted.map((m) => m.role)).toEqual(["assistant", "toolResult", "user", "assistant"]);
  });

  it("passes the model override through to every request", async () => {
    const model = scripted([{ final: reply("ok") }]);
    await runTurn(
      {
        agentId: "main",
        sessionKey: "k",
        modelOverride: "p/m2",
        system: "s",
        context: [user],
        signal: new AbortController().signal,
      },
      { stream: model.stream, tools: [], maxSteps: 1, emit: () => {}, persist: async () => {} },
    );
    expect(model.requests[0]?.modelOverride).toBe("p/m2");
    expect(model.requests[0]?.tools).toEqual([]);
  });
});

describe("runTurn with client tools", () => {
  const weather = { name: "get_weather", description: "weather", parameters: { type: "object", properties: {} } };

  it("offers client tools after the agent's and ends the turn at a call to one, unrun", async () => {
    const h = harness([{ final: callReply([call("get_weather", { city: "Oslo" })]) }], { clientTools: [weather] });
    const result = await h.run();
    expect(h.requests[0]?.tools.map((t) => t.name)).toEqual(["echo", "boom", "get_weather"]);
    expect(result.steps).toBe(1);
    expect(result.error).toBeUndefined();
    expect(result.final.stopReason).toBe("toolUse");
    expect(result.clientCalls).toEqual([call("get_weather", { city: "Oslo" })]);
    expect(h.persisted.map((m) => m.role)).toEqual(["assistant"]);
    expect(h.events.some((e) => e.type === "tool_start")).toBe(false);
  });

  it("runs the agent's tools called in the same step, then stops for the client's", async () => {
    const h = harness([{ final: callReply([call("echo", { text: "x" }), call("get_weather")]) }], {
      clientTools: [weather],
    });
    const result = await h.run();
    expect(h.requests).toHaveLength(1);
    expect(result.clientCalls?.map((c) => c.name)).toEqual(["get_weather"]);
    expect(h.persisted.map((m) => m.role)).toEqual(["assistant", "toolResult"]);
    expect(h.persisted[1]).toMatchObject({ toolName: "echo", isError: false });
  });

  it("hands client calls back even on the last allowed step", async () => {
    const h = harness([{ final: callReply([call("get_weather")]) }], { clientTools: [weather], maxSteps: 1 });
    const result = await h.run();
    expect(result.error).toBeUndefined();
    expect(result.clientCalls).toHaveLength(1);
  });

  it("never lets a client tool shadow an agent tool of the same name", async () => {
    const h = harness([{ final: callReply([call("echo", { text: "y" })]) }, { final: reply("done") }], {
      clientTools: [{ ...weather, name: "echo" }],
    });
    const result = await h.run();
    expect(h.requests[0]?.tools.map((t) => t.name)).toEqual(["echo", "boom"]);
    expect(result.clientCalls).toBeUndefined();
    expect(h.persisted[1]).toMatchObject({ role: "toolResult", toolName: "echo", isError: false });
  });
});
