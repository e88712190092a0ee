import { describe, expect, it } from "vitest";
import type { AgentMessage, AssistantMessage } from "../sessions/messages.js";
import { MISSING_TOOL_RESULT_TEXT } from "./convert.js";
import {
  sniffImageMediaType,
  toProviderCallOptions,
  toProviderPrompt,
  toProviderToolChoice,
  toProviderTools,
} from "./provider-prompt.js";

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
const prompt = (messages: AgentMessage[], targetProvider = "anthropic", system = "") =>
  toProviderPrompt({ system, messages, targetProvider });

/** The first bytes of real files, base64: enough for the signature, not a whole image. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]).toString("base64");
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]).toString("base64");
const WEBP = Buffer.from("RIFF\x10\x00\x00\x00WEBPVP8 ", "latin1").toString("base64");

describe("toProviderPrompt", () => {
  it("puts a non-empty system prompt first and sends user text as a text part", () => {
    expect(prompt([user("hi")], "anthropic", "be brief")).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: [{ type: "text", text: "hi" }] },
    ]);
    expect(prompt([user("hi")])).toEqual([{ role: "user", content: [{ type: "text", text: "hi" }] }]);
  });

  it("sends user images as file parts, typed by their bytes, and drops empty text parts", () => {
    const out = prompt([
      {
        role: "user",
        content: [
          { type: "text", text: "" },
          { type: "text", text: "see" },
          { type: "image", data: JPEG, mimeType: "image/png" },
          { type: "image", data: "AAAA", mimeType: "image/png" },
          { type: "image", data: `data:image/gif;base64,${PNG}`, mimeType: "" },
          { type: "image", data: "AAAA", mimeType: "" },
        ],
        timestamp: 1,
      },
    ]);
    expect(out).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "see" },
          { type: "file", data: JPEG, mediaType: "image/jpeg" },
          { type: "file", data: "AAAA", mediaType: "image/png" },
          { type: "file", data: PNG, mediaType: "image/png" },
          { type: "file", data: "AAAA", mediaType: "image/*" },
        ],
      },
    ]);
  });

  it("pairs tool calls with their results, arguments as the input object, error results marked", () => {
    const out = prompt([
      user("go"),
      assistant([{ type: "text", text: "reading" }, call("c1"), call("c2")], { stopReason: "toolUse" }),
      result("c1", "ok"),
      result("c2", "ENOENT", true),
    ]);
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

  it("joins the text parts of a result and keeps one result per call", () => {
    const out = prompt([
      assistant([call("c1")], { stopReason: "toolUse" }),
      {
        role: "toolResult",
        toolCallId: "c1",
        toolName: "read",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
        isError: false,
        timestamp: 3,
      },
      result("c1", "duplicate"),
    ]);
    expect(out[1]).toEqual({
      role: "tool",
      content: [{ type: "tool-result", toolCallId: "c1", toolName: "read", output: { type: "text", value: "a\nb" } }],
    });
  });

  it("answers a tool call whose result is missing, and drops results without a call", () => {
    const out = prompt(
      [user("go"), assistant([call("c1")], { stopReason: "toolUse" }), result("stray", "?"), user("again")],
      "openai",
    );
    expect(out).toEqual([
      { role: "user", content: [{ type: "text", text: "go" }] },
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
      { role: "user", content: [{ type: "text", text: "again" }] },
    ]);
  });

  it("answers a call left open at the end of the history (a crash before the tool ran)", () => {
    const out = prompt([
      user("go"),
      assistant([call("c1"), call("c2")], { stopReason: "toolUse" }),
      result("c2", "ok"),
    ]);
    expect(out.at(-1)).toEqual({
      role: "tool",
      content: [
        { type: "tool-result", toolCallId: "c2", toolName: "read", output: { type: "text", value: "ok" } },
        {
          type: "tool-result",
          toolCallId: "c1",
          toolName: "read",
          output: { type: "error-text", value: MISSING_TOOL_RESULT_TEXT },
        },
      ],
    });
  });

  it("keeps the text of an errored or aborted reply but not its tool calls; drops it when empty", () => {
    const out = prompt([
      user("a"),
      assistant([{ type: "text", text: "partial" }, call("c1")], { stopReason: "aborted" }),
      result("c1", "late"),
      assistant([], { stopReason: "error" }),
      assistant([{ type: "text", text: "" }], { stopReason: "stop" }),
      user("b"),
    ]);
    expect(out).toEqual([
      { role: "user", content: [{ type: "text", text: "a" }] },
      { role: "assistant", content: [{ type: "text", text: "partial" }] },
      { role: "user", content: [{ type: "text", text: "b" }] },
    ]);
  });

  it("replays reasoning with its signature to the provider that made it, and to no other", () => {
    const history = [
      user("q"),
      assistant([
        { type: "thinking", thinking: "hmm", signature: "sig" },
        { type: "thinking", thinking: "unsigned" },
        { type: "thinking", thinking: "" },
        { type: "text", text: "a" },
      ]),
    ];
    expect(prompt(history, "anthropic")[1]).toEqual({
      role: "assistant",
      content: [
        { type: "reasoning", text: "hmm", providerOptions: { anthropic: { signature: "sig" } } },
        { type: "reasoning", text: "unsigned" },
        { type: "text", text: "a" },
      ],
    });
    expect(prompt(history, "openai")[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "a" }] });
  });

  it("sends images in tool results as content with image data", () => {
    const out = prompt([
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
    ]);
    expect(out[1]).toEqual({
      role: "tool",
      content: [
        {
          type: "tool-result",
          toolCallId: "c1",
          toolName: "read",
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
    const out = prompt([assistant([call(id)], { stopReason: "toolUse" }), result(id, "ok")]);
    expect(out[0]).toMatchObject({ content: [{ toolCallId: "fc_123_call_abc" }] });
    expect(out[1]).toMatchObject({
      content: [{ toolCallId: "fc_123_call_abc", output: { type: "text", value: "ok" } }],
    });
  });

  it("an empty history with no system prompt is an empty prompt", () => {
    expect(prompt([])).toEqual([]);
  });
});

describe("sniffImageMediaType", () => {
  it.each([
    [PNG, "image/png"],
    [JPEG, "image/jpeg"],
    [WEBP, "image/webp"],
    [Buffer.from("GIF89a").toString("base64"), "image/gif"],
    ["AAAA", undefined],
    ["", undefined],
    ["not base64 at all!", undefined],
  ])("%s → %s", (data, mediaType) => expect(sniffImageMediaType(data)).toBe(mediaType));
});

describe("tools and tool choice", () => {
  const read = {
    name: "read",
    description: "Read a file",
    parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  };

  it("sends tool specs as function tools with their JSON Schema, and no tools as none", () => {
    expect(toProviderTools([read])).toEqual([
      { type: "function", name: "read", description: "Read a file", inputSchema: read.parameters },
    ]);
    expect(toProviderTools([])).toBeUndefined();
  });

  it.each([
    [undefined, true, { type: "auto" }],
    ["required", true, { type: "required" }],
    [{ name: "read" }, true, { type: "tool", toolName: "read" }],
    ["required", false, undefined],
    [undefined, false, undefined],
  ] as const)("choice %j with tools %s → %j", (choice, hasTools, out) => {
    expect(toProviderToolChoice(choice, hasTools)).toEqual(out);
  });

  it("builds the whole call, leaving out what was not asked for", () => {
    expect(
      toProviderCallOptions({
        system: "s",
        messages: [user("hi")],
        tools: [read],
        toolChoice: { name: "read" },
        targetProvider: "openai",
        maxOutputTokens: 100,
        temperature: 0.2,
      }),
    ).toEqual({
      prompt: [
        { role: "system", content: "s" },
        { role: "user", content: [{ type: "text", text: "hi" }] },
      ],
      tools: [{ type: "function", name: "read", description: "Read a file", inputSchema: read.parameters }],
      toolChoice: { type: "tool", toolName: "read" },
      maxOutputTokens: 100,
      temperature: 0.2,
      includeRawChunks: false,
    });
    expect(
      toProviderCallOptions({
        system: "",
        messages: [user("hi")],
        tools: [],
        toolChoice: "required",
        targetProvider: "x",
      }),
    ).toEqual({ prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }], includeRawChunks: false });
  });
});
