import { describe, expect, it } from "vitest";
import { agentMessage, type ConversationEntry } from "./conversation.js";
import { OpenAiHttpError } from "./errors.js";

const opts = (stateful: boolean, includeInstructions = true) => ({ stateful, includeInstructions, param: "messages" });

describe("agentMessage", () => {
  it("passes a lone user message through unchanged", () => {
    expect(agentMessage([{ role: "user", text: "hi" }], opts(false))).toBe("hi");
  });

  it("inlines earlier turns of a one-off request as context", () => {
    const entries: ConversationEntry[] = [
      { role: "user", text: "a" },
      { role: "assistant", text: "b" },
      { role: "user", text: "c" },
    ];
    expect(agentMessage(entries, opts(false))).toBe(
      "[Conversation so far, for context]\nUser: a\nAssistant: b\n\n[Current message - respond to this]\nUser: c",
    );
  });

  it("sends only the new turn to a stateful session", () => {
    const entries: ConversationEntry[] = [
      { role: "user", text: "a" },
      { role: "assistant", text: "b" },
      { role: "user", text: "c" },
    ];
    expect(agentMessage(entries, opts(true))).toBe("c");
  });

  it("puts client instructions first, and leaves them out when the session already has them", () => {
    const entries: ConversationEntry[] = [
      { role: "system", text: "be terse" },
      { role: "user", text: "q" },
    ];
    expect(agentMessage(entries, opts(true))).toBe("[Instructions from the API client]\nbe terse\n\nq");
    expect(agentMessage(entries, opts(true, false))).toBe("q");
  });

  it("keeps several user and tool entries sent after the last reply", () => {
    const entries: ConversationEntry[] = [
      { role: "assistant", text: "calling" },
      { role: "tool", text: "42", callId: "call_1" },
      { role: "user", text: "so?" },
    ];
    expect(agentMessage(entries, opts(true))).toBe("Tool result (call_1): 42\nUser: so?");
  });

  it.each([
    [[{ role: "system", text: "rules only" }]],
    [[{ role: "assistant", text: "no question" }]],
    [[{ role: "user", text: "   " }]],
  ] as ConversationEntry[][][])("refuses a conversation with nothing to answer: %j", (entries) => {
    expect(() => agentMessage(entries, opts(false))).toThrow(OpenAiHttpError);
  });
});
