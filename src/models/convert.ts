import type { LanguageModelUsage, ModelMessage, TextStreamPart, ToolSet } from "ai";
import { z } from "zod";
import type {
  AgentMessage,
  AssistantMessage,
  StopReason,
  ToolCallPart,
  ToolResultMessage,
} from "../sessions/messages.js";
import type { TokenCounts } from "./usage.js";

/**
 * The one conversion boundary into the AI SDK: our AgentMessage[] + system prompt + tool specs become
 * `streamText` inputs here, right before the call, and nowhere else. Provider quirks that the SDK does not
 * absorb are handled here too (orphan tool calls, tool call id formats, foreign reasoning).
 * The way back, stream parts → our events and the final AssistantMessage, is `AssistantBuilder` below.
 */

/** A tool as the model sees it. The agent loop executes tools itself, so no `execute` goes to the SDK. */
/** A tool call the model must make on a step: any tool, or the named one (OpenAI tool_choice). */
export type ToolChoice = "required" | { name: string };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ModelInput {
  system?: string;
  messages: ModelMessage[];
  tools?: ToolSet;
}

/** Anthropic accepts tool ids matching this (and at most 64 chars); other providers accept at least this. */
const SAFE_TOOL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Shown to the model for a tool call whose result never made it into the transcript (crash, abort). */
export const MISSING_TOOL_RESULT_TEXT = "No result: the tool run was interrupted before it finished.";

/**
 * A stable, provider-safe id for a tool call: ids minted by one provider (OpenAI Responses `fc_…|call_…`,
 * Mistral, a transcript from elsewhere) can be rejected by another. The same input always maps to the same
 * output, so calls and their results stay paired.
 */
export function safeToolCallId(id: string): string {
  if (SAFE_TOOL_ID.test(id)) return id;
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, "_");
  if (cleaned.length > 0 && cleaned.length <= 64) return cleaned;
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) | 0;
  return `${cleaned.slice(0, 55)}_${(hash >>> 0).toString(36)}`;
}

function userMessage(message: Extract<AgentMessage, { role: "user" }>): ModelMessage {
  if (typeof message.content === "string") return { role: "user", content: message.content };
  return {
    role: "user",
    content: message.content.map((part) =>
      part.type === "text"
        ? { type: "text", text: part.text }
        : { type: "image", image: part.data, mediaType: part.mimeType },
    ),
  };
}

/**
 * Reasoning is replayed only to the provider that produced it: its signature (Anthropic) proves it to that
 * provider and means nothing to another, which would reject or misread it.
 */
function assistantMessage(
  message: AssistantMessage,
  targetProvider: string,
  keepToolCalls: boolean,
): ModelMessage | undefined {
  const content: Exclude<Extract<ModelMessage, { role: "assistant" }>["content"], string> = [];
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

function toolResultPart(message: ToolResultMessage) {
  const hasImage = message.content.some((part) => part.type === "image");
  const text = message.content
    .filter((part) => part.type === "text")
    .map((part) => part.text)
    .join("\n");
  const output = hasImage
    ? {
        type: "content" as const,
        value: message.content.map((part) =>
          part.type === "text"
            ? { type: "text" as const, text: part.text }
            : { type: "image-data" as const, data: part.data, mediaType: part.mimeType },
        ),
      }
    : message.isError
      ? { type: "error-text" as const, value: text }
      : { type: "text" as const, value: text };
  return {
    type: "tool-result" as const,
    toolCallId: safeToolCallId(message.toolCallId),
    toolName: message.toolName,
    output,
  };
}

function missingResultPart(call: { id: string; name: string }) {
  return {
    type: "tool-result" as const,
    toolCallId: safeToolCallId(call.id),
    toolName: call.name,
    output: { type: "error-text" as const, value: MISSING_TOOL_RESULT_TEXT },
  };
}

/**
 * AgentMessage[] → ModelMessage[] for `targetProvider`.
 * - An assistant message that ended in error or abort keeps its text but not its tool calls: those never ran.
 * - Every tool call gets exactly one result right after its assistant message (providers reject a call
 *   without a result); results without a call are dropped (OpenAI rejects those).
 */
export function toModelMessages(messages: readonly AgentMessage[], targetProvider: string): ModelMessage[] {
  const out: ModelMessage[] = [];
  let pending: Array<{ id: string; name: string }> = [];
  let results: ReturnType<typeof toolResultPart>[] = [];
  const flushResults = () => {
    if (pending.length === 0) return;
    const answered = new Set(results.map((r) => r.toolCallId));
    const content = [...results, ...pending.filter((c) => !answered.has(safeToolCallId(c.id))).map(missingResultPart)];
    out.push({ role: "tool", content });
    pending = [];
    results = [];
  };
  for (const message of messages) {
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
    const converted = assistantMessage(message, targetProvider, completed);
    if (!converted) continue;
    out.push(converted);
    if (completed) {
      for (const part of message.content) if (part.type === "toolCall") pending.push({ id: part.id, name: part.name });
    }
  }
  flushResults();
  return out;
}

/** Tool specs → an AI SDK ToolSet of schema-only tools (no `execute`: the SDK stops at the call). */
export async function toToolSet(tools: readonly ToolSpec[]): Promise<ToolSet | undefined> {
  if (tools.length === 0) return undefined;
  const { jsonSchema } = await import("ai");
  const set: ToolSet = {};
  for (const spec of tools) {
    set[spec.name] = { description: spec.description, inputSchema: jsonSchema(spec.parameters) };
  }
  return set;
}

export async function toModelInput(input: {
  system: string;
  messages: readonly AgentMessage[];
  tools: readonly ToolSpec[];
  targetProvider: string;
}): Promise<ModelInput> {
  const result: ModelInput = { messages: toModelMessages(input.messages, input.targetProvider) };
  if (input.system.length > 0) result.system = input.system;
  const tools = await toToolSet(input.tools);
  if (tools) result.tools = tools;
  return result;
}

// ── The way back: AI SDK stream parts → deltas, tool calls and the final AssistantMessage ──────────────

/** What one stream part means for the caller. */
export type StreamPartOutcome =
  | { type: "text_delta"; delta: string }
  | { type: "thinking_delta"; delta: string }
  | { type: "tool_call"; call: ToolCallPart }
  | { type: "error"; error: unknown }
  | { type: "aborted" };

/** Tool arguments are model output: an object, or a JSON text of one; anything else becomes `{}`. */
const ToolArgumentsSchema = z.record(z.string(), z.unknown());
const AnthropicReasoningMetadataSchema = z.object({ anthropic: z.object({ signature: z.string() }) });

export function toolArguments(input: unknown): Record<string, unknown> {
  let value = input;
  if (typeof value === "string") {
    try {
      value = value.trim() === "" ? {} : JSON.parse(value);
    } catch {
      return {};
    }
  }
  const parsed = ToolArgumentsSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** The SDK's usage (inputTokens counts cached tokens too) → our counts (input = uncached only). */
export function tokenCountsFromSdk(usage: LanguageModelUsage | undefined): TokenCounts {
  const cacheRead = usage?.inputTokenDetails?.cacheReadTokens ?? usage?.cachedInputTokens ?? 0;
  const cacheWrite = usage?.inputTokenDetails?.cacheWriteTokens ?? 0;
  const input =
    usage?.inputTokenDetails?.noCacheTokens ?? Math.max(0, (usage?.inputTokens ?? 0) - cacheRead - cacheWrite);
  return {
    input,
    output: usage?.outputTokens ?? 0,
    cacheRead,
    cacheWrite,
    reasoning: usage?.outputTokenDetails?.reasoningTokens ?? usage?.reasoningTokens ?? 0,
  };
}

/**
 * Folds the stream into an assistant message while telling the caller what each part means.
 * One builder per model call.
 */
export class AssistantBuilder {
  readonly content: AssistantMessage["content"] = [];
  finishReason: string | undefined;
  usage: LanguageModelUsage | undefined;
  /** A delta or tool call went out: from here on a failure can no longer be hidden by a retry. */
  emitted = false;
  private readonly blocks = new Map<string, number>();

  apply(part: TextStreamPart<ToolSet>): StreamPartOutcome | undefined {
    switch (part.type) {
      case "text-delta":
        if (part.text.length === 0) return undefined;
        this.appendText("text", part.id, part.text);
        this.emitted = true;
        return { type: "text_delta", delta: part.text };
      case "reasoning-delta": {
        this.noteSignature(part.id, part.providerMetadata);
        if (part.text.length === 0) return undefined;
        this.appendText("thinking", part.id, part.text);
        this.emitted = true;
        return { type: "thinking_delta", delta: part.text };
      }
      case "reasoning-end":
        this.noteSignature(part.id, part.providerMetadata);
        return undefined;
      case "tool-call": {
        const call: ToolCallPart = {
          type: "toolCall",
          id: part.toolCallId,
          name: part.toolName,
          arguments: toolArguments(part.input),
        };
        this.content.push(call);
        this.emitted = true;
        return { type: "tool_call", call };
      }
      case "finish-step":
        this.usage = part.usage;
        this.finishReason = part.finishReason;
        return undefined;
      case "finish":
        this.usage = part.totalUsage;
        this.finishReason = part.finishReason;
        return undefined;
      case "error":
        return { type: "error", error: part.error };
      case "abort":
        return { type: "aborted" };
      default:
        return undefined;
    }
  }

  hasToolCalls(): boolean {
    return this.content.some((part) => part.type === "toolCall");
  }

  /** The stop reason of a completed stream; undefined when the stream never finished. */
  stopReason(): Exclude<StopReason, "error" | "aborted"> | "content-filter" | undefined {
    switch (this.finishReason) {
      case undefined:
        return undefined;
      case "length":
        return "length";
      case "content-filter":
        return "content-filter";
      case "tool-calls":
        return "toolUse";
      default:
        // Some providers (Gemini) finish with "stop" while calling tools.
        return this.hasToolCalls() ? "toolUse" : "stop";
    }
  }

  private appendText(kind: "text" | "thinking", id: string, delta: string): void {
    const key = `${kind}:${id}`;
    const index = this.blocks.get(key);
    const existing = index === undefined ? undefined : this.content[index];
    if (existing?.type === "text") existing.text += delta;
    else if (existing?.type === "thinking") existing.thinking += delta;
    else {
      this.blocks.set(key, this.content.length);
      this.content.push(kind === "text" ? { type: "text", text: delta } : { type: "thinking", thinking: delta });
    }
  }

  private noteSignature(id: string, metadata: unknown): void {
    const parsed = AnthropicReasoningMetadataSchema.safeParse(metadata);
    if (!parsed.success) return;
    const key = `thinking:${id}`;
    let index = this.blocks.get(key);
    if (index === undefined) {
      index = this.content.length;
      this.blocks.set(key, index);
      this.content.push({ type: "thinking", thinking: "" });
    }
    const block = this.content[index];
    if (block?.type === "thinking") block.signature = parsed.data.anthropic.signature;
  }
}
