import { describe, expect, it } from "vitest";
import { visitorEventView, visitorMessageView } from "./visitor-view.js";

const KEY = "agent:main:webchat:direct:abc";

describe("visitorEventView", () => {
  it("passes tick and shutdown, drops the gateway's own events", () => {
    expect(visitorEventView("tick", { ts: 1 }, KEY)).toEqual({ ts: 1 });
    expect(visitorEventView("shutdown", { reason: "x" }, KEY)).toEqual({ reason: "x" });
    for (const event of [
      "presence",
      "health",
      "config.changed",
      "cron",
      "heartbeat",
      "budget",
      "exec.approval.requested",
    ]) {
      expect(visitorEventView(event, { sessionKey: KEY }, KEY)).toBeUndefined();
    }
  });

  it("passes its own session's chat events with text only", () => {
    const view = visitorEventView(
      "chat",
      {
        runId: "r1",
        sessionKey: KEY,
        agentId: "main",
        seq: 3,
        state: "final",
        usage: { input: 5 },
        message: {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "secret plan" },
            { type: "toolCall", id: "t", name: "exec", arguments: { cmd: "cat /etc/passwd" } },
            { type: "text", text: "Hello!" },
          ],
          provider: "openai",
          timestamp: 1,
        },
      },
      KEY,
    );
    expect(view).toEqual({
      runId: "r1",
      sessionKey: KEY,
      seq: 3,
      state: "final",
      message: { role: "assistant", content: [{ type: "text", text: "Hello!" }], timestamp: 1 },
    });
  });

  it("drops another session's chat and agent events", () => {
    expect(
      visitorEventView("chat", { runId: "r", sessionKey: "agent:main:main", state: "delta" }, KEY),
    ).toBeUndefined();
    expect(
      visitorEventView("agent", { runId: "r", stream: "lifecycle", data: { sessionKey: "agent:main:main" } }, KEY),
    ).toBeUndefined();
  });

  it("passes only lifecycle agent events of its own session", () => {
    expect(
      visitorEventView(
        "agent",
        { runId: "r", seq: 0, stream: "lifecycle", data: { sessionKey: KEY, phase: "start", x: 1 } },
        KEY,
      ),
    ).toEqual({ runId: "r", seq: 0, stream: "lifecycle", data: { sessionKey: KEY, phase: "start" } });
    for (const stream of ["tool", "thinking", "model", "assistant"]) {
      expect(visitorEventView("agent", { runId: "r", stream, data: { sessionKey: KEY } }, KEY)).toBeUndefined();
    }
  });

  it("drops malformed payloads", () => {
    expect(visitorEventView("chat", "nonsense", KEY)).toBeUndefined();
    expect(visitorEventView("chat", { sessionKey: KEY }, KEY)).toBeUndefined();
  });
});

describe("visitorMessageView", () => {
  it("keeps user text and drops tool results and tool-only steps", () => {
    expect(visitorMessageView({ role: "user", content: "hi", timestamp: 1 })).toEqual({
      role: "user",
      content: [{ type: "text", text: "hi" }],
      timestamp: 1,
    });
    expect(visitorMessageView({ role: "toolResult", toolCallId: "t", content: [] })).toBeUndefined();
    expect(
      visitorMessageView({ role: "assistant", content: [{ type: "toolCall", id: "t", name: "x", arguments: {} }] }),
    ).toBeUndefined();
  });
});
