import { z } from "zod";

/**
 * The vocabulary shared by the agent loop and the provider boundary: tools as the model sees them, and the
 * two conversions of tool calls every provider needs (ids other providers accept, arguments from model
 * output). The call itself is built in provider-prompt.ts and read back in provider-stream.ts.
 */

/** A tool call the model must make on a step: any tool, or the named one (OpenAI tool_choice). */
export type ToolChoice = "required" | { name: string };

/** A tool as the model sees it. The agent loop executes tools itself: the provider only sees the schema. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
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

/** Tool arguments are model output: an object, or a JSON text of one; anything else becomes `{}`. */
const ToolArgumentsSchema = z.record(z.string(), z.unknown());

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
