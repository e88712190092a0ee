import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3ToolChoice,
  LanguageModelV3ToolResultPart,
} from "@ai-sdk/provider";
import type { AgentMessage, AssistantMessage, ImagePart, ToolResultMessage } from "../sessions/messages.js";
import { MISSING_TOOL_RESULT_TEXT, safeToolCallId, type ToolChoice, type ToolSpec } from "./convert.js";

/**
 * The one conversion boundary into a provider: our AgentMessage[] + system prompt + tool specs become the
 * provider spec's call options (LanguageModelV3) here, right before `doStream`, and nowhere else.
 * We build the spec's prompt ourselves instead of going through the AI SDK's `streamText`, which re-validates
 * the whole history with zod on every call: the transcript is ours and already well-formed.
 * Provider quirks the provider packages do not absorb are handled here too (orphan tool calls, tool call id
 * formats, foreign reasoning, mislabelled images).
 * The way back, stream parts → our events, is provider-stream.ts.
 */

type AssistantContent = Extract<LanguageModelV3Message, { role: "assistant" }>["content"];
type UserContent = Extract<LanguageModelV3Message, { role: "user" }>["content"];

/** Leading bytes of the image formats providers accept, as the AI SDK recognises them. */
const IMAGE_SIGNATURES: ReadonlyArray<{ mediaType: string; prefix: ReadonlyArray<number | null> }> = [
  { mediaType: "image/gif", prefix: [0x47, 0x49, 0x46] },
  { mediaType: "image/png", prefix: [0x89, 0x50, 0x4e, 0x47] },
  { mediaType: "image/jpeg", prefix: [0xff, 0xd8] },
  // "RIFF", 4 bytes of size, "WEBP"
  { mediaType: "image/webp", prefix: [0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50] },
  { mediaType: "image/bmp", prefix: [0x42, 0x4d] },
  { mediaType: "image/tiff", prefix: [0x49, 0x49, 0x2a, 0x00] },
  { mediaType: "image/tiff", prefix: [0x4d, 0x4d, 0x00, 0x2a] },
  { mediaType: "image/avif", prefix: [0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66] },
  { mediaType: "image/heic", prefix: [0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63] },
];
/** 24 base64 characters decode to 18 bytes, more than the longest signature. */
const SNIFF_BASE64_CHARS = 24;

/**
 * The image format its bytes say, whatever it was labelled: a JPEG saved as `.png` is sent as image/jpeg,
 * since Anthropic rejects an image whose bytes do not match its media type. Undefined when unrecognised.
 */
export function sniffImageMediaType(base64: string): string | undefined {
  const bytes = Buffer.from(base64.slice(0, SNIFF_BASE64_CHARS), "base64");
  const match = IMAGE_SIGNATURES.find(
    (sig) => bytes.length >= sig.prefix.length && sig.prefix.every((byte, i) => byte === null || bytes[i] === byte),
  );
  return match?.mediaType;
}

/** A stored image as a file part; a `data:` URL (not what transcripts hold, but seen in imports) is split. */
function imageFilePart(part: ImagePart): UserContent[number] {
  const dataUrl = /^data:([^;,]+);base64,/.exec(part.data);
  const data = dataUrl ? part.data.slice(dataUrl[0].length) : part.data;
  const declared = dataUrl?.[1] ?? part.mimeType;
  return { type: "file", data, mediaType: sniffImageMediaType(data) ?? (declared || "image/*") };
}

function userMessage(message: Extract<AgentMessage, { role: "user" }>): LanguageModelV3Message {
  if (typeof message.content === "string") return { role: "user", content: [{ type: "text", text: message.content }] };
  const content: UserContent = [];
  for (const part of message.content) {
    if (part.type === "image") content.push(imageFilePart(part));
    else if (part.text.length > 0) content.push({ type: "text", text: part.text });
  }
  return { role: "user", content };
}

/**
 * Reasoning is replayed only to the provider that produced it: its signature (Anthropic) proves it to that
 * provider and means nothing to another, which would reject or misread it.
 */
function assistantMessage(
  message: AssistantMessage,
  targetProvider: string,
  keepToolCalls: boolean,
): LanguageModelV3Message | undefined {
  const content: AssistantContent = [];
  for (const part of message.content) {
    if (part.type === "text") {
      if (part.text.length > 0) content.push({ type: "text", text: part.text });
    } else if (part.type === "thinking") {
      if (message.provider !== targetProvider || part.thinking.length === 0) continue;
      content.push(
        part.signature !== undefined
          ? { type: "reasoning", text: part.thinking, providerOptions: { anthropic: { signature: part.signature } } }
          : { type: "reasoning", text: part.thinking },
      );
    } else if (keepToolCalls) {
      content.push({
        type: "tool-call",
        toolCallId: safeToolCallId(part.id),
        toolName: part.name,
        input: part.arguments,
      });
    }
  }
  return content.length > 0 ? { role: "assistant", content } : undefined;
}

function toolResultPart(message: ToolResultMessage): LanguageModelV3ToolResultPart {
  const hasImage = message.content.some((part) => part.type === "image");
  const text = message.content
    .filter((part) => part.type === "text")
    .map((part) => part.text)
    .join("\n");
  const output: LanguageModelV3ToolResultPart["output"] = hasImage
    ? {
        type: "content",
        value: message.content.map((part) =>
          part.type === "text"
            ? { type: "text" as const, text: part.text }
            : { type: "image-data" as const, data: part.data, mediaType: part.mimeType },
        ),
      }
    : message.isError
      ? { type: "error-text", value: text }
      : { type: "text", value: text };
  return { type: "tool-result", toolCallId: safeToolCallId(message.toolCallId), toolName: message.toolName, output };
}

function missingResultPart(call: { id: string; name: string }): LanguageModelV3ToolResultPart {
  return {
    type: "tool-result",
    toolCallId: safeToolCallId(call.id),
    toolName: call.name,
    output: { type: "error-text", value: MISSING_TOOL_RESULT_TEXT },
  };
}

/**
 * System prompt + AgentMessage[] → the provider spec's prompt for `targetProvider`.
 * - An assistant message that ended in error or abort keeps its text but not its tool calls: those never ran.
 * - Every tool call gets exactly one result right after its assistant message (providers reject a call
 *   without a result); results without a call are dropped (OpenAI rejects those).
 */
export function toProviderPrompt(input: {
  system: string;
  messages: readonly AgentMessage[];
  targetProvider: string;
}): LanguageModelV3Prompt {
  const out: LanguageModelV3Prompt = input.system.length > 0 ? [{ role: "system", content: input.system }] : [];
  let pending: Array<{ id: string; name: string }> = [];
  let results: LanguageModelV3ToolResultPart[] = [];
  const flushResults = () => {
    if (pending.length === 0) return;
    const answered = new Set(results.map((r) => r.toolCallId));
    const missing = pending.filter((c) => !answered.has(safeToolCallId(c.id))).map(missingResultPart);
    out.push({ role: "tool", content: [...results, ...missing] });
    pending = [];
    results = [];
  };
  for (const message of input.messages) {
    if (message.role === "toolResult") {
      const id = safeToolCallId(message.toolCallId);
      const call = pending.find((c) => safeToolCallId(c.id) === id);
      if (call && !results.some((r) => r.toolCallId === id)) results.push(toolResultPart(message));
      continue;
    }
    flushResults();
    if (message.role === "user") {
      out.push(userMessage(message));
      continue;
    }
    const completed = message.stopReason !== "error" && message.stopReason !== "aborted";
    const converted = assistantMessage(message, input.targetProvider, completed);
    if (!converted) continue;
    out.push(converted);
    if (completed) {
      for (const part of message.content) if (part.type === "toolCall") pending.push({ id: part.id, name: part.name });
    }
  }
  flushResults();
  return out;
}

/** Tool specs as the spec's function tools; undefined when there are none (the spec's "no tools"). */
export function toProviderTools(tools: readonly ToolSpec[]): LanguageModelV3FunctionTool[] | undefined {
  if (tools.length === 0) return undefined;
  return tools.map((spec) => ({
    type: "function",
    name: spec.name,
    description: spec.description,
    inputSchema: spec.parameters,
  }));
}

/** Our forced tool choice as the spec's; "auto" when tools are offered without one, nothing without tools. */
export function toProviderToolChoice(
  choice: ToolChoice | undefined,
  hasTools: boolean,
): LanguageModelV3ToolChoice | undefined {
  if (!hasTools) return undefined;
  if (choice === undefined) return { type: "auto" };
  return choice === "required" ? { type: "required" } : { type: "tool", toolName: choice.name };
}

/** Everything one model call sends, except the abort signal, which belongs to the caller's call. */
export function toProviderCallOptions(input: {
  system: string;
  messages: readonly AgentMessage[];
  tools: readonly ToolSpec[];
  toolChoice?: ToolChoice;
  targetProvider: string;
  maxOutputTokens?: number;
  temperature?: number;
}): Omit<LanguageModelV3CallOptions, "abortSignal"> {
  const tools = toProviderTools(input.tools);
  const toolChoice = toProviderToolChoice(input.toolChoice, tools !== undefined);
  return {
    prompt: toProviderPrompt(input),
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(input.maxOutputTokens !== undefined ? { maxOutputTokens: input.maxOutputTokens } : {}),
    ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
    // Raw provider chunks would only be skipped: not asking spares the provider building them.
    includeRawChunks: false,
  };
}
