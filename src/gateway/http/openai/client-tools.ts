import { z } from "zod";
import { sessionTools } from "../../../agent/builtin-tools.js";
import type { AgentRuntime } from "../../../agent/runtime.js";
import type { ToolCallPart } from "../../../sessions/messages.js";
import type { ToolSpec } from "../../../tools/tool.js";
import { invalidRequest, OpenAiHttpError } from "./errors.js";

/**
 * Function tools an API client declares (`tools`): offered to the agent's model for one run beside the agent's
 * own tools, never executed here. A call to one ends the run and goes back to the client as `tool_calls` /
 * `function_call` items; the client's next request carries the results (see conversation.ts).
 */

/** OpenAI's rule for function names; provider tool-name limits are no stricter. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export const ToolName = z
  .string()
  .regex(TOOL_NAME, "a function name must be 1-64 characters of a-z, A-Z, 0-9, underscore or dash");

/** A function's `parameters`: a JSON Schema describing the arguments object. */
export const FunctionParameters = z.looseObject({
  type: z.literal("object", { error: 'a function\'s parameters must be a JSON Schema with type "object"' }).optional(),
  properties: z
    .record(z.string(), z.union([z.looseObject({}), z.boolean()]), {
      error: "properties must map each argument name to a JSON Schema object",
    })
    .optional(),
  required: z.array(z.string(), { error: "required must be an array of argument names" }).optional(),
});

/** One declared function tool, in either API's spelling, with where its name sits in the request. */
export interface DeclaredTool {
  name: string;
  description?: string | null | undefined;
  parameters?: Record<string, unknown> | null | undefined;
  /** The request path of the name (`tools[2].function.name`, `tools[2].name`), for errors. */
  param: string;
}

/** `tool_choice` reduced to what both APIs mean by it. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** What a run gets from the declared tools and the tool choice. */
export interface ClientToolPlan {
  specs: ToolSpec[];
  instruction?: string;
  /** Names of which at least one must be called (tool_choice "required" or a named function). */
  required?: string[];
  /** Asked of the model on the run's first step, for providers that can force a tool call. */
  force?: "required" | { name: string };
}

/** Arguments of a function declared without `parameters`: an object of anything. */
const EMPTY_OBJECT_SCHEMA = { type: "object", properties: {} };

/**
 * The tools offered for this run. "none" offers none (results of earlier calls are still accepted); a named
 * function offers only that one; "required" and a named function also tell the model it must call one, and the
 * endpoint fails the request when it did not (see missingRequiredCall).
 */
export function planClientTools(
  tools: DeclaredTool[],
  choice: ToolChoice | undefined,
  choiceParam: string,
): ClientToolPlan | undefined {
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.name)) throw invalidRequest(`${tool.param}: "${tool.name}" is declared twice`, tool.param);
    seen.add(tool.name);
  }
  if (typeof choice === "object" && !seen.has(choice.name)) {
    throw invalidRequest(`tool_choice names function "${choice.name}", which is not in tools`, choiceParam);
  }
  if (choice === "required" && tools.length === 0) {
    throw invalidRequest('tool_choice "required" needs at least one function in tools', "tool_choice");
  }
  if (choice === "none" || tools.length === 0) return undefined;
  const offered = typeof choice === "object" ? tools.filter((t) => t.name === choice.name) : tools;
  const specs = offered.map(
    (t): ToolSpec => ({
      name: t.name,
      description: t.description ?? "",
      parameters: t.parameters ? { ...EMPTY_OBJECT_SCHEMA, ...t.parameters } : EMPTY_OBJECT_SCHEMA,
    }),
  );
  if (choice !== "required" && typeof choice !== "object") return { specs };
  const names = specs.map((s) => s.name);
  const which = names.length === 1 ? `the tool ${names[0]}` : `one of the tools ${names.join(", ")}`;
  return {
    specs,
    required: names,
    force: typeof choice === "object" ? { name: choice.name } : "required",
    instruction: `The API client requires a tool call in this reply: call ${which} before you answer in text.`,
  };
}

/** Refuses declared names that are the agent's own tools for this session: a client tool never shadows one. */
export async function checkNoClash(
  runtime: AgentRuntime,
  session: { agentId: string; sessionKey: string; model?: string | undefined },
  tools: DeclaredTool[],
): Promise<void> {
  if (tools.length === 0) return;
  const own = new Set((await sessionTools(runtime, session)).map((t) => t.name));
  const clash = tools.find((t) => own.has(t.name));
  if (clash) {
    throw invalidRequest(
      `${clash.param}: "${clash.name}" is the name of one of the agent's own tools; give the client tool another name`,
      clash.param,
      "tool_name_conflict",
    );
  }
}

/** Transcript messages read back to find the calls awaiting results; a step's calls and results fit easily. */
const PENDING_SCAN_LIMIT = 64;

/**
 * Tool calls of the session's last assistant message that still await a result: the client tool calls an
 * earlier response handed to the client (empty when the session does not exist or its last step was answered).
 */
export async function pendingToolCalls(
  runtime: AgentRuntime,
  sessionKey: string,
  agentId: string,
): Promise<ToolCallPart[]> {
  const { key, agent } = runtime.resolveKey(sessionKey, agentId);
  const store = await runtime.store(agent.id);
  if (!store.get(key)) return [];
  const { messages } = await store.history(key, { limit: PENDING_SCAN_LIMIT });
  const answered = new Set<string>();
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i]!.message;
    if (message.role === "toolResult") {
      answered.add(message.toolCallId);
      continue;
    }
    if (message.role !== "assistant" || message.stopReason !== "toolUse") return [];
    return message.content.filter((p): p is ToolCallPart => p.type === "toolCall" && !answered.has(p.id));
  }
  return [];
}

/**
 * The failure for a run that had to call a client tool (tool_choice "required" or a named function) and did
 * not: the reply cannot be what the client asked for. 502 as OpenClaw answers; retrying would only cost tokens.
 */
export function missingRequiredCall(plan: ClientToolPlan | undefined, calls: ToolCallPart[] | undefined) {
  const required = plan?.required;
  if (!required || calls?.some((c) => required.includes(c.name))) return undefined;
  return new OpenAiHttpError(
    502,
    "api_error",
    "tool_choice_not_honored",
    `tool_choice required a call to ${required.join(" or ")}, but the agent answered without calling it`,
    "tool_choice",
    { "x-should-retry": "false" },
  );
}

/** A model's tool call as OpenAI clients receive it: arguments as a JSON string. */
export function callArguments(call: ToolCallPart): string {
  return JSON.stringify(call.arguments);
}
