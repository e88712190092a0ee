import { describe, expect, it } from "vitest";
import type { ToolCallPart } from "../../../sessions/messages.js";
import { agentMessage, agentTurn, type ConversationEntry } from "./conversation.js";
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

describe("agentTurn", () => {
  const call: ToolCallPart = { type: "toolCall", id: "call_1", name: "get_weather", arguments: { city: "Rome" } };
  const turnOpts = (stateful: boolean, pending: ToolCallPart[] = []) => ({ ...opts(stateful), pending });
  const asked: ConversationEntry[] = [
    { role: "system", text: "be brief" },
    { role: "user", text: "weather in Rome?" },
    {
      role: "assistant",
      text: "checking",
      toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Rome"}', param: "messages[2].x" }],
    },
  ];
  const result = (callId: string, text = "sunny"): ConversationEntry => ({
    role: "tool",
    text,
    callId,
    callParam: "messages[3].tool_call_id",
  });

  it("is the plain message when the new turn has no tool results", () => {
    expect(agentTurn([{ role: "user", text: "hi" }], turnOpts(false))).toEqual({ message: "hi" });
  });

  it("answers the session's awaited call with a tool result message in a stateful session", () => {
    const input = agentTurn([...asked, result("call_1")], turnOpts(true, [call]));
    expect(input.message).toBe("");
    expect(input.prelude).toEqual([
      expect.objectContaining({ role: "toolResult", toolCallId: "call_1", toolName: "get_weather", isError: false }),
    ]);
    expect(input.prelude?.[0]).toMatchObject({ content: [{ type: "text", text: "sunny" }] });
  });

  it("seeds a one-off session with the conversation, the call and its result, then any new user text", () => {
    const input = agentTurn([...asked, result("call_1"), { role: "user", text: "and tomorrow?" }], turnOpts(false));
    expect(input.message).toBe("and tomorrow?");
    expect(input.prelude?.map((m) => m.role)).toEqual(["user", "assistant", "toolResult"]);
    expect(input.prelude?.[0]).toMatchObject({
      content: "[Instructions from the API client]\nbe brief\n\nweather in Rome?",
    });
    expect(input.prelude?.[1]).toMatchObject({
      stopReason: "toolUse",
      content: [{ type: "text", text: "checking" }, call],
    });
  });

  it.each([
    ["an unknown call id", [...asked, result("call_9")], false, []],
    ["a second result for one call", [...asked, result("call_1"), result("call_1")], false, []],
    ["a result when the session awaits nothing", [{ role: "user", text: "q" }, result("call_1")], true, []],
  ] as [string, ConversationEntry[], boolean, ToolCallPart[]][])(
    "refuses %s naming the param",
    (_what, entries, stateful, pending) => {
      const err = (() => {
        try {
          agentTurn(entries, turnOpts(stateful, pending));
        } catch (e) {
          return e;
        }
      })() as OpenAiHttpError;
      expect(err).toBeInstanceOf(OpenAiHttpError);
      expect(err.param).toBe("messages[3].tool_call_id");
      expect(err.code).toBe("unknown_tool_call");
    },
  );

  it("refuses replayed call arguments that are not a JSON object", () => {
    const bad: ConversationEntry[] = [
      { role: "user", text: "q" },
      {
        role: "assistant",
        text: "",
        toolCalls: [{ id: "c", name: "f", arguments: "{oops", param: "messages[1].args" }],
      },
      { role: "tool", text: "r", callId: "c" },
    ];
    expect(() => agentTurn(bad, turnOpts(false))).toThrow(/messages\[1\]\.args is not valid JSON/);
  });

  it("inlines earlier client tool calls in a one-off conversation's history", () => {
    const entries: ConversationEntry[] = [
      { role: "user", text: "weather in Rome?" },
      { role: "assistant", text: "", toolCalls: [{ id: "c", name: "get_weather", arguments: "{}", param: "p" }] },
      { role: "assistant", text: "sunny" },
      { role: "user", text: "thanks" },
    ];
    expect(agentTurn(entries, turnOpts(false)).message).toContain("Assistant called get_weather with {}");
  });
});
