import { describe, expect, it } from "vitest";
import type { AgentMessage, AssistantMessage, Usage } from "../sessions/messages.js";
import { messageText } from "../sessions/messages.js";
import {
  compactionCut,
  estimateMessagesTokens,
  needsCompaction,
  promptTokens,
  pruneOldToolResults,
  renderForSummary,
  summaryMessage,
  summaryRequest,
} from "./compaction.js";

const u = (text: string): AgentMessage => ({ role: "user", content: text, timestamp: 0 });
const a = (text: string): AssistantMessage => ({ role: "assistant", content: [{ type: "text", text }], timestamp: 0 });
const call = (name: string, args: Record<string, unknown>): AssistantMessage => ({
  role: "assistant",
  content: [{ type: "toolCall", id: `c-${name}`, name, arguments: args }],
  stopReason: "toolUse",
  timestamp: 0,
});
const result = (name: string, text: string, isError = false): AgentMessage => ({
  role: "toolResult",
  toolCallId: `c-${name}`,
  toolName: name,
  content: [{ type: "text", text }],
  isError,
  timestamp: 0,
});

describe("compactionCut", () => {
  const convo = [u("1"), a("1"), u("2"), call("t", {}), result("t", "r"), a("2"), u("3"), a("3")];
  it.each([
    [1, 6],
    [2, 2],
    [3, 0],
    [4, 0],
  ])("keeping %i turns cuts at %i", (keep, index) => {
    expect(compactionCut(convo, keep)).toBe(index);
  });

  it("always cuts at a user message, so a tool call never loses its result", () => {
    const cut = compactionCut(convo, 2);
    expect(convo[cut]?.role).toBe("user");
  });

  it("is 0 for an empty conversation", () => {
    expect(compactionCut([], 1)).toBe(0);
  });
});

describe("token estimates", () => {
  it("counts ~4 characters per token over text, thinking, tool calls and images", () => {
    expect(estimateMessagesTokens([u("abcd"), a("abcdefgh")])).toBe(3);
    expect(estimateMessagesTokens([call("t", { x: 1 })])).toBe(Math.ceil(('{"x":1}'.length + 1) / 4));
    const image: AgentMessage = {
      role: "user",
      content: [{ type: "image", data: "AAAA", mimeType: "image/png" }],
      timestamp: 0,
    };
    expect(estimateMessagesTokens([image])).toBe(1_000);
  });

  it("promptTokens prefers the provider's count when it is larger", () => {
    const usage: Usage = {
      input: 900,
      output: 100,
      cacheRead: 50,
      cacheWrite: 0,
      reasoning: 0,
      totalTokens: 1_050,
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
    };
    expect(promptTokens("ssss", [u("abcd")])).toBe(2);
    expect(promptTokens("ssss", [u("abcd")], usage)).toBe(1_050);
  });

  it.each([
    [1_599, 2_000, 0.8, false],
    [1_600, 2_000, 0.8, true],
    [10, 100, 0.1, true],
  ])("needsCompaction(%i, %i, %f) is %s", (tokens, window, threshold, expected) => {
    expect(needsCompaction(tokens, window, threshold)).toBe(expected);
  });
});

describe("summary text", () => {
  it("renders tool calls and results, cutting long results", () => {
    const long = "x".repeat(2_000);
    const text = renderForSummary([
      u("find it"),
      call("search", { q: "cats" }),
      result("search", long, true),
      a("found"),
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toBe("user: find it");
    expect(lines[1]).toBe('[assistant called search({"q":"cats"})]');
    expect(lines[2]?.startsWith("[tool search error]: xxx")).toBe(true);
    expect(lines[2]?.endsWith("…")).toBe(true);
    expect(lines[2]?.length).toBeLessThan(1_600);
    expect(lines[3]).toBe("assistant: found");
  });

  it("builds the request with the previous summary and the user's instructions", () => {
    const req = summaryRequest("old summary", "user: hi", "keep names");
    expect(req).toContain("Summary of the conversation before this part:\nold summary");
    expect(req).toContain("Conversation to summarize:\nuser: hi");
    expect(req).toContain("Extra instructions from the user: keep names");
    expect(summaryRequest(undefined, "t")).not.toContain("Summary of the conversation before");
  });

  it("wraps the summary as a user message", () => {
    const m = summaryMessage("S", 7);
    expect(m).toMatchObject({ role: "user", timestamp: 7 });
    expect(messageText(m)).toContain("<conversation-summary>");
    expect(messageText(m)).toContain("S");
  });
});

describe("pruneOldToolResults", () => {
  const big = "y".repeat(3_000);
  const convo = [
    u("1"),
    call("read", {}),
    result("read", big),
    result("read", "small"),
    a("1"),
    u("2"),
    a("2"),
    u("3"),
    call("read", {}),
    result("read", big),
  ];

  it("stubs large tool results older than the kept turns, never recent or small ones", () => {
    const pruned = pruneOldToolResults(convo, 2);
    expect(messageText(pruned[2] as AgentMessage)).toMatch(/^\[older read result of 3000 characters pruned/);
    expect(messageText(pruned[3] as AgentMessage)).toBe("small");
    expect(messageText(pruned[9] as AgentMessage)).toBe(big);
    // The input is not modified: the transcript keeps the full output.
    expect(messageText(convo[2] as AgentMessage)).toBe(big);
  });

  it("leaves a short conversation alone", () => {
    expect(pruneOldToolResults(convo, 5)).toBe(convo);
  });
});
