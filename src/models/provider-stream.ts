import type {
  LanguageModelV3,
  LanguageModelV3FinishReason,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import type { LanguageModel } from "ai";
import { z } from "zod";
import { PincerError } from "../errors.js";
import type { AssistantMessage, StopReason, ToolCallPart } from "../sessions/messages.js";
import { toolArguments } from "./convert.js";
import type { TokenCounts } from "./usage.js";

/**
 * The way back from a provider: its LanguageModelV3 stream parts → our deltas, tool calls and the final
 * AssistantMessage. The way in is provider-prompt.ts.
 */

/** What one stream part means for the caller. */
export type StreamPartOutcome =
  | { type: "text_delta"; delta: string }
  | { type: "thinking_delta"; delta: string }
  | { type: "tool_call"; call: ToolCallPart }
  | { type: "error"; error: unknown };

/**
 * The provider model as the spec we call directly. Every provider package Pincer loads implements v3; an
 * older one (v2) or a bare model id would need the AI SDK's adapters, which this path deliberately skips.
 */
export function asLanguageModelV3(model: LanguageModel, ref: string): LanguageModelV3 {
  if (typeof model !== "string" && model.specificationVersion === "v3") return model;
  const version = typeof model === "string" ? "a bare model id" : `specification ${model.specificationVersion}`;
  throw new PincerError(
    "MODEL_NOT_CONFIGURED",
    `The provider package for ${ref} returned ${version}; Pincer needs a LanguageModelV3 (AI SDK 6 provider packages). Update the provider package.`,
  );
}

const TokenCountSchema = z.number().finite().nonnegative().optional().catch(undefined);
/** Provider-reported usage, read leniently: a count a provider gets wrong is unknown, not a failed call. */
const UsageSchema = z.object({
  inputTokens: z
    .object({
      total: TokenCountSchema,
      noCache: TokenCountSchema,
      cacheRead: TokenCountSchema,
      cacheWrite: TokenCountSchema,
    })
    .catch({}),
  outputTokens: z.object({ total: TokenCountSchema, reasoning: TokenCountSchema }).catch({}),
});

/** The spec's usage (input total counts cached tokens too) → our counts (input = uncached only). */
export function tokenCountsFromUsage(usage: LanguageModelV3Usage | undefined): TokenCounts {
  const parsed = UsageSchema.safeParse(usage);
  const inputTokens = parsed.success ? parsed.data.inputTokens : {};
  const outputTokens = parsed.success ? parsed.data.outputTokens : {};
  const cacheRead = inputTokens.cacheRead ?? 0;
  const cacheWrite = inputTokens.cacheWrite ?? 0;
  return {
    input: inputTokens.noCache ?? Math.max(0, (inputTokens.total ?? 0) - cacheRead - cacheWrite),
    output: outputTokens.total ?? 0,
    cacheRead,
    cacheWrite,
    reasoning: outputTokens.reasoning ?? 0,
  };
}

const AnthropicReasoningMetadataSchema = z.object({ anthropic: z.object({ signature: z.string() }) });

/**
 * Folds the provider's stream into an assistant message while telling the caller what each part means.
 * One builder per model call.
 */
export class AssistantBuilder {
  readonly content: AssistantMessage["content"] = [];
  finishReason: LanguageModelV3FinishReason["unified"] | undefined;
  usage: LanguageModelV3Usage | undefined;
  /** A delta or tool call went out: from here on a failure can no longer be hidden by a retry. */
  emitted = false;
  /** Open text and reasoning blocks by the provider's part id. */
  private readonly blocks = new Map<string, number>();

  apply(part: LanguageModelV3StreamPart): StreamPartOutcome | undefined {
    switch (part.type) {
      case "text-start":
      case "reasoning-start":
        // A provider may reuse a part id for a later block: that is a new block, not more of the old one.
        this.blocks.delete(`${part.type === "text-start" ? "text" : "thinking"}:${part.id}`);
        return undefined;
      case "text-delta":
        if (part.delta.length === 0) return undefined;
        this.appendText("text", part.id, part.delta);
        this.emitted = true;
        return { type: "text_delta", delta: part.delta };
      case "reasoning-delta":
        this.noteSignature(part.id, part.providerMetadata);
        if (part.delta.length === 0) return undefined;
        this.appendText("thinking", part.id, part.delta);
        this.emitted = true;
        return { type: "thinking_delta", delta: part.delta };
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
      case "finish":
        this.usage = part.usage;
        this.finishReason = part.finishReason.unified;
        return undefined;
      case "error":
        return { type: "error", error: part.error };
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
