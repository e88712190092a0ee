import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { AgentRuntime } from "../../../agent/runtime.js";
import type { GatewayServices } from "../../services.js";
import { invalidRequest, type OpenAiHttpError } from "./errors.js";

/** What every OpenAI-compatible handler gets: the request, its parsed JSON body and the gateway's parts. */
export interface ApiContext {
  req: IncomingMessage;
  res: ServerResponse;
  services: GatewayServices;
  runtime: AgentRuntime;
  requestId: string;
  body: unknown;
  /** Fires when the client disconnects before the response is complete. */
  signal: AbortSignal;
}

/**
 * Sampling and length fields OpenAI clients commonly send. They are validated as OpenAI validates them (so a bad
 * value fails the same way) but not applied: the agent's configured model settings govern its runs.
 */
export const SamplingFields = {
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.int().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
};

/** `user`: the caller's stable end-user id; it pins the session (see agent-target.ts). */
export const UserField = z.string().max(512, "user: at most 512 characters").nullish();

/** The first issue of a failed parse, in OpenAI's form: a message and the `param` path (`messages[0].role`). */
export function requestError(error: z.ZodError): OpenAiHttpError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest("the request body is invalid");
  const param = issue.path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    "",
  );
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return invalidRequest(`Missing required parameter: '${param}'.`, param || null, "missing_required_parameter");
  }
  return invalidRequest(`Invalid '${param || "body"}': ${issue.message}`, param || null, "invalid_value");
}

/** Text of an OpenAI content value (a string, or parts of which the text ones count); images are refused. */
export function contentText(content: unknown, param: string): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalidRequest(`${param} must be a string or an array of content parts`, param);
  const texts: string[] = [];
  content.forEach((part: unknown, i) => {
    const p = part as { type?: unknown; text?: unknown; refusal?: unknown };
    if (typeof p !== "object" || p === null) throw invalidRequest(`${param}[${i}] must be an object`, `${param}[${i}]`);
    switch (p.type) {
      case "text":
      case "input_text":
      case "output_text":
        if (typeof p.text !== "string")
          throw invalidRequest(`${param}[${i}].text must be a string`, `${param}[${i}].text`);
        texts.push(p.text);
        break;
      case "refusal":
        if (typeof p.refusal === "string") texts.push(p.refusal);
        break;
      case "image_url":
      case "input_image":
      case "input_audio":
      case "input_file":
      case "file":
        throw invalidRequest(
          `${param}[${i}]: ${String(p.type)} parts are not supported by this gateway; send text`,
          `${param}[${i}].type`,
          "unsupported_content",
        );
      default:
        throw invalidRequest(
          `${param}[${i}].type "${String(p.type)}" is not a known content part`,
          `${param}[${i}].type`,
        );
    }
  });
  return texts.join("\n");
}

/** True when the session already exists (then the client's instructions are already in its transcript). */
export async function sessionExists(runtime: AgentRuntime, sessionKey: string, agentId: string): Promise<boolean> {
  const { key, agent } = runtime.resolveKey(sessionKey, agentId);
  const store = await runtime.store(agent.id);
  return store.get(key) !== undefined;
}
