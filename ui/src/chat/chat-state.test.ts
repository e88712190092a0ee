import { describe, expect, it } from "vitest";
import {
  applyChatEvent,
  applyHistory,
  applyToolEvent,
  type ChatState,
  chatItems,
  initialChatState,
  markAccepted,
  queueMessage,
} from "./chat-state.js";
import type { ChatMessage } from "./chat-wire.js";

const KEY = "agent:main:main";
const user = (id: string, text: string, timestamp = 1000): ChatMessage => ({
  id,
  role: "user",
  content: text,
  timestamp,
});
const assistant = (id: string, text: string): ChatMessage => ({
  id,
  role: "assistant",
  content: [{ type: "text", text }],
  timestamp: 1000,
});
const history = (messages: ChatMessage[], inFlightRun: string | null = null) => ({
  sessionKey: KEY,
  messages,
  inFlightRun,
});
const delta = (runId: string, text: string) => ({
  runId,
  sessionKey: KEY,
  state: "delta" as const,
  message: { role: "assistant", content: [{ type: "text", text }] },
});

function loaded(messages: ChatMessage[]): ChatState {
  return applyHistory(initialChatState(KEY), history(messages), false);
}

describe("chat state", () => {
  it("streams a reply, then hands it over to the transcript without a duplicate", () => {
    let s = loaded([user("1", "a"), assistant("2", "b")]);
    s = queueMessage(s, "k1", "hello", 2000);
    s = markAccepted(s, "k1", "r1");
    s = applyChatEvent(s, delta("r1", "Hel"));
    s = applyChatEvent(s, delta("r1", "Hello wor"));
    expect(chatItems(s).map((i) => i.text)).toEqual(["a", "b", "hello", "Hello wor"]);
    s = applyChatEvent(s, { ...delta("r1", "Hello world"), state: "final" });
    // A transcript read while the run was still in flight must not drop the finished reply.
    s = applyHistory(s, history([user("1", "a"), assistant("2", "b"), user("3", "hello", 2000)], "r1"), false);
    expect(chatItems(s).map((i) => i.text)).toEqual(["a", "b", "hello", "Hello world"]);
    s = applyHistory(
      s,
      history([user("1", "a"), assistant("2", "b"), user("3", "hello"), assistant("4", "Hello world")]),
      false,
    );
    expect(chatItems(s).map((i) => i.text)).toEqual(["a", "b", "hello", "Hello world"]);
    expect(s.live).toBeUndefined();
    expect(s.outbox).toEqual([]);
  });

  it("ignores repeated and late deltas of a finished run", () => {
    let s = loaded([]);
    s = applyChatEvent(s, { ...delta("r1", "done"), state: "final" });
    const after = applyChatEvent(s, delta("r1", "do"));
    expect(after).toBe(s);
  });

  it("a repeated delta does not double the text", () => {
    let s = loaded([]);
    s = applyChatEvent(s, delta("r1", "abc"));
    s = applyChatEvent(s, delta("r1", "abc"));
    expect(s.live?.text).toBe("abc");
  });

  it("after a reconnect, follows a run still in flight and says when one was cut off", () => {
    let s = loaded([user("1", "q")]);
    s = applyChatEvent(s, delta("r1", "partial"));
    const still = applyHistory(s, history([user("1", "q")], "r1"), true);
    expect(still.live?.runId).toBe("r1");
    const cut = applyHistory(s, history([user("1", "q")], null), true);
    expect(cut.live).toBeUndefined();
    expect(cut.notice).toMatch(/interrupted/);
  });

  it("picks up a run that started elsewhere", () => {
    const s = applyHistory(initialChatState(KEY), history([user("1", "q")], "r9"), false);
    expect(s.live).toMatchObject({ runId: "r9", state: "streaming" });
  });

  it("matches two identical outgoing messages to two transcript messages, in order", () => {
    let s = loaded([assistant("0", "hi")]);
    s = queueMessage(s, "k1", "same", 2000);
    s = queueMessage(s, "k2", "same", 2001);
    s = applyHistory(s, history([assistant("0", "hi"), user("1", "same")]), false);
    expect(s.outbox.map((o) => o.key)).toEqual(["k2"]);
    // The first echo is not counted again for the second message.
    s = applyHistory(s, history([assistant("0", "hi"), user("1", "same"), assistant("2", "r")]), false);
    expect(s.outbox.map((o) => o.key)).toEqual(["k2"]);
    s = applyHistory(
      s,
      history([assistant("0", "hi"), user("1", "same"), assistant("2", "r"), user("3", "same")]),
      false,
    );
    expect(s.outbox).toEqual([]);
  });

  it("ignores events of other sessions", () => {
    const s = loaded([]);
    expect(applyChatEvent(s, { ...delta("r1", "x"), sessionKey: "agent:main:other" })).toBe(s);
  });

  it("folds tool calls and their results into the assistant row", () => {
    let s = loaded([
      user("1", "list files"),
      { id: "2", role: "assistant", content: [{ type: "toolCall", id: "t1", name: "ls", arguments: { path: "." } }] },
      { id: "3", role: "toolResult", toolCallId: "t1", toolName: "ls", content: [{ type: "text", text: "a.txt" }] },
      assistant("4", "There is a.txt"),
    ]);
    const items = chatItems(s);
    expect(items.map((i) => i.kind)).toEqual(["user", "assistant", "assistant"]);
    const first = items[1];
    expect(first?.kind === "assistant" && first.tools).toEqual([
      { id: "t1", name: "ls", args: { path: "." }, result: "a.txt", isError: false, done: true },
    ]);
    s = applyToolEvent(s, {
      runId: "r2",
      stream: "tool",
      data: { sessionKey: KEY, phase: "start", name: "read", toolCallId: "t2", args: { p: 1 } },
    });
    s = applyToolEvent(s, {
      runId: "r2",
      stream: "tool",
      data: { sessionKey: KEY, phase: "result", name: "read", toolCallId: "t2", result: "ok" },
    });
    expect(s.live?.tools).toEqual([
      { id: "t2", name: "read", args: { p: 1 }, result: "ok", isError: false, done: true },
    ]);
  });
});
