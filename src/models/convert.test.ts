import type { TextStreamPart, ToolSet } from "ai";
import { describe, expect, it } from "vitest";
import type { AgentMessage, AssistantMessage } from "../sessions/messages.js";
import {
  AssistantBuilder,
  MISSING_TOOL_RESULT_TEXT,
  safeToolCallId,
  tokenCountsFromSdk,
  toModelInput,
  toModelMessages,
  toolArguments,
} from "./convert.js";

const user = (content: string): AgentMessage => ({ role: "user", content, timestamp: 1 });
const assistant = (content: AssistantMessage["content"], extra: Partial<AssistantMessage> = {}): AgentMessage => ({
  role: "assistant",
  content,
  provider: "anthropic",
  model: "claude-sonnet-4-6",
  stopReason: "stop",
  timestamp: 2,
  ...extra,
});
const call = (id: string, name = "read") => ({ type: "toolCall" as const, id, name, arguments: { path: "a.txt" } });
const result = (toolCallId: string, text: string, isError = false): AgentMessage => ({
  role: "toolResult",
  toolCallId,
  toolName: "read",
  content: [{ type: "text", text }],
  isError,
  timestamp: 3,
});

describe("toModelMessages", () => {
  it("maps user text and images", () => {
    const out = toModelMessages(
      [
        user("hi"),
        {
          role: "user",
          content: [
            { type: "text", text: "see" },
            { type: "image", data: "AAAA", mimeType: "image/png" },
          ],
          timestamp: 1,
        },
      ],
      "anthropic",
    );
    expect(out).toEqual([
      { role: "user", content: "hi" },
      {
        role: "user",
        content: [
          { type: "text", text: "see" },
          { type: "image", image: "AAAA", mediaType: "image/png" },
        ],
      },
    ]);
  });

  it("pairs tool calls with their results, error results marked", () => {
    const out = toModelMessages(
      [
        user("go"),
        assistant([{ type: "text", text: "reading" }, call("c1"), call("c2")], { stopReason: "toolUse" }),
        result("c1", "ok"),
        result("c2", "ENOENT", true),
      ],
      "anthropic",
    );
    expect(out[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "reading" },
        { type: "tool-call", toolCallId: "c1", toolName: "read", input: { path: "a.txt" } },
        { type: "tool-call", toolCallId: "c2", toolName: "read", input: { path: "a.txt" } },
      ],
    });
    expect(out[2]).toEqual({
      role: "tool",
      content: [
        { type: "tool-result", toolCallId: "c1", toolName: "read", output: { type: "text", value: "ok" } },
        { type: "tool-result", toolCallId: "c2", toolName: "read", output: { type: "error-text", value: "ENOENT" } },
      ],
    });
  });

  it("answers a tool call whose result is missing, and drops results without a call", () => {
    const out = toModelMessages(
      [user("go"), assistant([call("c1")], { stopReason: "toolUse" }), result("stray", "?"), user("again")],
      "openai",
    );
    expect(out).toEqual([
      { role: "user", content: "go" },
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "c1", toolName: "read", input: { path: "a.txt" } }],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "c1",
            toolName: "read",
            output: { type: "error-text", value: MISSING_TOOL_RESULT_TEXT },
          },
        ],
      },
      { role: "user", content: "again" },
    ]);
  });

  it("keeps the text of an errored or aborted reply but not its tool calls; drops it when empty", () => {
    const out = toModelMessages(
      [
        user("a"),
        assistant([{ type: "text", text: "partial" }, call("c1")], { stopReason: "aborted" }),
        result("c1", "late"),
        assistant([], { stopReason: "error" }),
        user("b"),
      ],
      "anthropic",
    );
    expect(out).toEqual([
      { role: "user", content: "a" },
      { role: "assistant", content: [{ type: "text", text: "partial" }] },
      { role: "user", content: "b" },
    ]);
  });

  it("replays reasoning with its signature to the provider that made it, and to no other", () => {
    const history = [
      user("q"),
      assistant([
        { type: "thinking", thinking: "hmm", signature: "sig" },
        { type: "text", text: "a" },
      ]),
    ];
    expect(toModelMessages(history, "anthropic")[1]).toEqual({
      role: "assistant",
      content: [
        { type: "reasoning", text: "hmm", providerOptions: { anthropic: { signature: "sig" } } },
        { type: "text", text: "a" },
      ],
    });
    expect(toModelMessages(history, "openai")[1]).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "a" }],
    });
  });

  it("sends images in tool results as content", () => {
    const out = toModelMessages(
      [
        assistant([call("c1")], { stopReason: "toolUse" }),
        {
          role: "toolResult",
          toolCallId: "c1",
          toolName: "read",
          content: [
            { type: "text", text: "img" },
            { type: "image", data: "BBBB", mimeType: "image/jpeg" },
          ],
          isError: false,
          timestamp: 3,
        },
      ],
      "anthropic",
    );
    expect(out[1]).toMatchObject({
      role: "tool",
      content: [
        {
          output: {
            type: "content",
            value: [
              { type: "text", text: "img" },
              { type: "image-data", data: "BBBB", mediaType: "image/jpeg" },
            ],
          },
        },
      ],
    });
  });

  it("rewrites tool ids other providers would reject, the same way for call and result", () => {
    const id = "fc_123|call/abc";
    const out = toModelMessages([assistant([call(id)], { stopReason: "toolUse" }), result(id, "ok")], "anthropic");
    expect(out[0]).toMatchObject({ content: [{ toolCallId: "fc_123_call_abc" }] });
    expect(out[1]).toMatchObject({
      content: [{ toolCallId: "fc_123_call_abc", output: { type: "text", value: "ok" } }],
    });
  });
});

describe("safeToolCallId", () => {
  it.each(["toolu_01AbC", "call_x-y"])("keeps %s", (id) => expect(safeToolCallId(id)).toBe(id));
  it("shortens long ids deterministically within 64 chars", () => {
    const long = "x".repeat(80);
    expect(safeToolCallId(long)).toHaveLength(safeToolCallId(long).length);
    expect(safeToolCallId(long).length).toBeLessThanOrEqual(64);
    expect(safeToolCallId(long)).toBe(safeToolCallId(long));
    expect(safeToolCallId(long)).not.toBe(safeToolCallId(`${"x".repeat(79)}y`));
  });
});

describe("toolArguments", () => {
  it.each([
    [{ a: 1 }, { a: 1 }],
    ['{"a":1}', { a: 1 }],
    ["", {}],
    ["{not json", {}],
    ["[1,2]", {}],
    [null, {}],
    [7, {}],
  ])("%j → %j", (input, out) => expect(toolArguments(input)).toEqual(out));
});

describe("tokenCountsFromSdk", () => {
  it("splits cached tokens out of the input", () => {
    expect(
      tokenCountsFromSdk({
        inputTokens: 1000,
        inputTokenDetails: { noCacheTokens: undefined, cacheReadTokens: 400, cacheWriteTokens: 100 },
        outputTokens: 50,
        outputTokenDetails: { textTokens: 30, reasoningTokens: 20 },
        totalTokens: 1050,
      }),
    ).toEqual({ input: 500, output: 50, cacheRead: 400, cacheWrite: 100, reasoning: 20 });
  });
  it("missing usage is zero", () => {
    expect(tokenCountsFromSdk(undefined)).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });
});

describe("AssistantBuilder", () => {
  const feed = (parts: Array<TextStreamPart<ToolSet>>) => {
    const builder = new AssistantBuilder();
    const outcomes = parts.map((p) => builder.apply(p)).filter((o) => o !== undefined);
    return { builder, outcomes };
  };
  const usage = {
    inputTokens: 1,
    inputTokenDetails: { noCacheTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
    outputTokens: 2,
    outputTokenDetails: { textTokens: 2, reasoningTokens: 0 },
    totalTokens: 3,
  };

  it("folds deltas into blocks and keeps the signature", () => {
    const { builder, outcomes } = feed([
      { type: "reasoning-start", id: "r" },
      { type: "reasoning-delta", id: "r", text: "th" },
      { type: "reasoning-delta", id: "r", text: "ink" },
      { type: "reasoning-end", id: "r", providerMetadata: { anthropic: { signature: "s1" } } },
      { type: "text-delta", id: "t", text: "Hel" },
      { type: "text-delta", id: "t", text: "" },
      { type: "text-delta", id: "t", text: "lo" },
      { type: "tool-call", toolCallId: "c1", toolName: "read", input: { path: "x" } } as TextStreamPart<ToolSet>,
      { type: "finish", finishReason: "tool-calls", rawFinishReason: "tool_use", totalUsage: usage },
    ]);
    expect(outcomes.map((o) => o.type)).toEqual([
      "thinking_delta",
      "thinking_delta",
      "text_delta",
      "text_delta",
      "tool_call",
    ]);
    expect(builder.content).toEqual([
      { type: "thinking", thinking: "think", signature: "s1" },
      { type: "text", text: "Hello" },
      { type: "toolCall", id: "c1", name: "read", arguments: { path: "x" } },
    ]);
    expect(builder.stopReason()).toBe("toolUse");
    expect(builder.emitted).toBe(true);
  });

  it.each([
    [undefined, false, undefined],
    ["stop", false, "stop"],
    ["stop", true, "toolUse"],
    ["length", true, "length"],
    ["content-filter", false, "content-filter"],
    ["other", false, "stop"],
  ] as const)("finish %s (tool calls: %s) → %s", (finishReason, withCall, out) => {
    const parts: Array<TextStreamPart<ToolSet>> = [];
    if (withCall)
      parts.push({ type: "tool-call", toolCallId: "c", toolName: "t", input: {} } as TextStreamPart<ToolSet>);
    if (finishReason) parts.push({ type: "finish", finishReason, rawFinishReason: undefined, totalUsage: usage });
    expect(feed(parts).builder.stopReason()).toBe(out);
  });

  it("reports errors and aborts without emitting", () => {
    const { builder, outcomes } = feed([{ type: "error", error: new Error("x") }, { type: "abort" }]);
    expect(outcomes.map((o) => o.type)).toEqual(["error", "aborted"]);
    expect(builder.emitted).toBe(false);
  });
});

describe("toModelInput", () => {
  it("builds schema-only tools and omits empty system and tools", async () => {
    const input = await toModelInput({
      system: "be brief",
      messages: [user("hi")],
      tools: [
        {
          name: "read",
          description: "Read a file",
          parameters: { type: "object", properties: { path: { type: "string" } } },
        },
      ],
      targetProvider: "anthropic",
    });
    expect(input.system).toBe("be brief");
    expect(input.tools?.read).toMatchObject({ description: "Read a file" });
    expect(input.tools?.read && "execute" in input.tools.read).toBe(false);
    const bare = await toModelInput({ system: "", messages: [], tools: [], targetProvider: "x" });
    expect(bare).toEqual({ messages: [] });
  });
});
