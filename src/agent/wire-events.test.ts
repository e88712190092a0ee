import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AssistantMessage } from "../sessions/messages.js";
import { chatErrorKind, DELTA_COALESCE_MS, RunEventWriter } from "./wire-events.js";

type Sent = { event: "chat" | "agent"; payload: Record<string, unknown> };

let sent: Sent[];
let writer: RunEventWriter;
beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  writer = new RunEventWriter("run-1", "agent:main:main", "main", (event, payload) => sent.push({ event, payload }));
});
afterEach(() => {
  vi.useRealTimers();
});

const chat = () => sent.filter((s) => s.event === "chat").map((s) => s.payload);
const agent = () => sent.filter((s) => s.event === "agent").map((s) => s.payload);
const reply: AssistantMessage = { role: "assistant", content: [{ type: "text", text: "Hello" }], timestamp: 1 };

describe("RunEventWriter", () => {
  it("coalesces text deltas into one chat delta per interval, agent deltas one by one", () => {
    writer.turnEvent({ type: "text_delta", delta: "Hel", text: "Hel" });
    writer.turnEvent({ type: "text_delta", delta: "lo", text: "Hello" });
    expect(chat()).toEqual([]);
    vi.advanceTimersByTime(DELTA_COALESCE_MS);
    expect(chat()).toEqual([
      expect.objectContaining({
        runId: "run-1",
        sessionKey: "agent:main:main",
        agentId: "main",
        seq: 0,
        state: "delta",
        deltaText: "Hello",
        message: expect.objectContaining({ content: [{ type: "text", text: "Hello" }] }),
      }),
    ]);
    expect(agent().map((a) => (a.data as { delta: string }).delta)).toEqual(["Hel", "lo"]);
  });

  it("flushes pending text before the final, with per-stream seqs", () => {
    writer.lifecycle("start");
    writer.turnEvent({ type: "text_delta", delta: "Hello", text: "Hello" });
    writer.final(
      reply,
      {
        input: 1,
        output: 1,
        cacheRead: 0,
        cacheWrite: 0,
        reasoning: 0,
        totalTokens: 2,
        cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
      },
      "stop",
    );
    expect(chat().map((c) => [c.seq, c.state])).toEqual([
      [0, "delta"],
      [1, "final"],
    ]);
    expect(agent().map((a) => [a.seq, a.stream, (a.data as { phase?: string }).phase])).toEqual([
      [0, "lifecycle", "start"],
      [1, "assistant", undefined],
      [2, "lifecycle", "end"],
    ]);
    vi.advanceTimersByTime(DELTA_COALESCE_MS * 2);
    expect(chat()).toHaveLength(2);
  });

  it("reports tool phases and compaction on their own streams", () => {
    const call = { type: "toolCall" as const, id: "c1", name: "t", arguments: { a: 1 } };
    writer.turnEvent({ type: "tool_start", call });
    writer.turnEvent({
      type: "tool_end",
      call,
      result: {
        role: "toolResult",
        toolCallId: "c1",
        toolName: "t",
        content: [{ type: "text", text: "ok" }],
        isError: false,
        timestamp: 1,
      },
    });
    writer.compaction("start", { phase: "ignored", reason: "manual" });
    expect(agent().map((a) => [a.stream, a.data])).toEqual([
      ["tool", { sessionKey: "agent:main:main", phase: "start", name: "t", toolCallId: "c1", args: { a: 1 } }],
      [
        "tool",
        { sessionKey: "agent:main:main", phase: "result", name: "t", toolCallId: "c1", isError: false, result: "ok" },
      ],
      ["compaction", { sessionKey: "agent:main:main", reason: "manual", phase: "start" }],
    ]);
  });

  it("ends a run answered inside another run's turn with a message-less terminal event", () => {
    writer.answeredBy("host", { status: "ok" });
    writer.answeredBy("host", { status: "error", error: { kind: "rate_limit", message: "slow down" } });
    writer.answeredBy("host", { status: "aborted" });
    expect(
      chat().map(({ state, message, errorMessage, errorKind }) => ({ state, message, errorMessage, errorKind })),
    ).toEqual([
      { state: "final", message: undefined, errorMessage: undefined, errorKind: undefined },
      { state: "error", message: undefined, errorMessage: "slow down", errorKind: "rate_limit" },
      { state: "aborted", message: undefined, errorMessage: undefined, errorKind: undefined },
    ]);
    expect(agent().every((a) => (a.data as { answeredBy: string }).answeredBy === "host")).toBe(true);
  });
});

describe("chatErrorKind", () => {
  it.each([
    ["rate_limit", "rate_limit"],
    ["overloaded", "rate_limit"],
    ["timeout", "timeout"],
    ["context_length", "context_length"],
    ["auth", "unknown"],
    [undefined, "unknown"],
  ])("%s → %s", (kind, expected) => {
    expect(chatErrorKind(kind)).toBe(expected);
  });
});
