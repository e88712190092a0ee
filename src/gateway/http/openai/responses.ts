import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { ToolCallPart, Usage } from "../../../sessions/messages.js";
import { apiRunRequest, runForApi } from "./agent-run.js";
import { resolveRunTarget } from "./agent-target.js";
import {
  callArguments,
  checkNoClash,
  type DeclaredTool,
  FunctionParameters,
  missingRequiredCall,
  pendingToolCalls,
  planClientTools,
  ToolName,
} from "./client-tools.js";
import { agentTurn, type ConversationEntry } from "./conversation.js";
import { invalidRequest, type OpenAiHttpError, outcomeFailure, sendOpenAiError } from "./errors.js";
import {
  type ApiContext,
  contentText,
  requestError,
  SamplingFields,
  sessionExists,
  UserField,
} from "./request-fields.js";
import type { ResponseSessions } from "./response-sessions.js";
import { SseWriter } from "./sse.js";
import { responsesUsage } from "./usage.js";

const InputItem = z.looseObject({
  type: z.string().optional(),
  role: z.enum(["system", "developer", "user", "assistant"]).optional(),
  content: z.unknown().optional(),
  call_id: z.string().optional(),
  output: z.unknown().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
});

const FunctionTool = z.looseObject({
  type: z.literal("function", { error: 'only tools of type "function" are supported' }),
  name: ToolName,
  description: z.string().nullish(),
  parameters: FunctionParameters.nullish(),
  strict: z.boolean().nullish(),
});

export const ResponsesRequest = z.looseObject({
  model: z.string().min(1, "model must not be empty"),
  input: z.union([z.string(), z.array(InputItem)]),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  stream: z.boolean().nullish(),
  user: UserField,
  max_output_tokens: z.int().positive().nullish(),
  tools: z.array(FunctionTool).nullish(),
  tool_choice: z
    .union([
      z.enum(["auto", "none", "required"]),
      z.looseObject({ type: z.literal("function"), name: z.string().min(1) }),
    ])
    .nullish(),
  ...SamplingFields,
});
type ResponsesRequest = z.infer<typeof ResponsesRequest>;

/**
 * POST /v1/responses: one agent turn per request in OpenAI's Responses shape, streamed as its typed SSE events
 * when asked. `previous_response_id` continues the session an earlier response ran in. The client's function
 * `tools` are offered beside the agent's own; a call to one ends the turn as `function_call` output items, and
 * `function_call_output` items continue it.
 */
export async function handleResponses(ctx: ApiContext, sessions: ResponseSessions): Promise<void> {
  const parsed = ResponsesRequest.safeParse(ctx.body ?? {});
  if (!parsed.success) return sendOpenAiError(ctx.res, requestError(parsed.error), ctx.requestId);
  const body = parsed.data;
  const declared = (body.tools ?? []).map((t, i): DeclaredTool => ({ ...t, param: `tools[${i}].name` }));
  const choice = body.tool_choice;
  const plan = planClientTools(
    declared,
    typeof choice === "object" && choice ? { name: choice.name } : (choice ?? undefined),
    "tool_choice.name",
  );
  const agents = ctx.runtime.agents();
  let previous: { sessionKey: string; agentId: string } | undefined;
  if (body.previous_response_id) {
    previous = sessions.get(body.previous_response_id);
    if (!previous) {
      throw invalidRequest(
        `Previous response with id '${body.previous_response_id}' not found.`,
        "previous_response_id",
        "previous_response_not_found",
      );
    }
  }
  const target = resolveRunTarget(ctx.req, { model: body.model, user: body.user ?? undefined }, agents, {
    surface: "responses",
    ...(previous ? { sessionKey: previous.sessionKey } : {}),
  });
  if (previous && previous.agentId !== target.agent.id) {
    throw invalidRequest(
      `previous_response_id belongs to agent "${previous.agentId}", but model names agent "${target.agent.id}"`,
      "previous_response_id",
    );
  }
  await checkNoClash(
    ctx.runtime,
    { agentId: target.agent.id, sessionKey: target.sessionKey, model: target.modelOverride },
    declared,
  );
  const entries = inputEntries(body);
  const exists = target.stateful && (await sessionExists(ctx.runtime, target.sessionKey, target.agent.id));
  const continues = entries.some((e) => e.role === "tool");
  const input = agentTurn(entries, {
    stateful: target.stateful,
    includeInstructions: !exists,
    param: "input",
    pending: exists && continues ? await pendingToolCalls(ctx.runtime, target.sessionKey, target.agent.id) : [],
  });

  const id = `resp_${randomBytes(24).toString("hex")}`;
  const itemId = `msg_${randomBytes(24).toString("hex")}`;
  const createdAt = Math.floor(Date.now() / 1000);
  const shape = (status: string, output: unknown[], usage: Usage | undefined, error?: OpenAiHttpError) => ({
    id,
    object: "response",
    created_at: createdAt,
    status,
    error: error ? { code: error.code ?? "server_error", message: error.message } : null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: declared.map((t) => ({
      type: "function",
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters ?? null,
      strict: body.tools?.find((d) => d.name === t.name)?.strict ?? true,
    })),
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    usage: usage ? responsesUsage(usage) : null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  });
  const run = apiRunRequest(target, id, input, plan, ctx.signal);

  if (!body.stream) {
    const result = await runForApi(ctx.services, ctx.runtime, run);
    if (ctx.signal.aborted) return;
    const { outcome, clientCalls } = result;
    const failure = outcome.status !== "ok" ? outcomeFailure(outcome) : missingRequiredCall(plan, clientCalls);
    if (failure) return sendOpenAiError(ctx.res, failure, ctx.requestId);
    sessions.remember(id, { sessionKey: result.sessionKey, agentId: target.agent.id });
    const output = finalOutput(itemId, result.text, functionCalls(clientCalls));
    const payload = JSON.stringify(shape("completed", output, outcome.usage));
    ctx.res.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(payload),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-request-id": ctx.requestId,
    });
    ctx.res.end(payload);
    return;
  }

  const sse = new SseWriter(ctx.res);
  let seq = 0;
  const send = (type: string, data: Record<string, unknown>) =>
    sse.event(type, { type, sequence_number: seq++, ...data });
  const where = { item_id: itemId, output_index: 0, content_index: 0 };
  // The message item opens with the first text: a reply that only calls client tools has none.
  let messageOpen = false;
  const openMessage = () => {
    if (messageOpen) return;
    messageOpen = true;
    send("response.output_item.added", { output_index: 0, item: messageItem(itemId, "", "in_progress", false) });
    send("response.content_part.added", { ...where, part: textPart("") });
  };
  sse.open(ctx.requestId);
  send("response.created", { response: shape("in_progress", [], undefined) });
  send("response.in_progress", { response: shape("in_progress", [], undefined) });
  const result = await runForApi(ctx.services, ctx.runtime, {
    ...run,
    onText: (delta) => {
      openMessage();
      send("response.output_text.delta", { ...where, delta, logprobs: [] });
    },
  });
  if (sse.closed) return;
  const { outcome, text, clientCalls } = result;
  const failure = outcome.status !== "ok" ? outcomeFailure(outcome) : missingRequiredCall(plan, clientCalls);
  if (failure) {
    send("response.failed", { response: shape("failed", [], outcome.usage, failure) });
  } else {
    sessions.remember(id, { sessionKey: result.sessionKey, agentId: target.agent.id });
    const calls = functionCalls(clientCalls);
    const output = finalOutput(itemId, text, calls);
    if (output[0]?.type === "message") {
      openMessage();
      send("response.output_text.done", { ...where, text, logprobs: [] });
      send("response.content_part.done", { ...where, part: textPart(text) });
      send("response.output_item.done", { output_index: 0, item: messageItem(itemId, text, "completed") });
    }
    calls.forEach((call, i) => {
      const at = { item_id: call.id, output_index: output.length - calls.length + i };
      send("response.output_item.added", {
        output_index: at.output_index,
        item: { ...call, arguments: "", status: "in_progress" },
      });
      send("response.function_call_arguments.delta", { ...at, delta: call.arguments });
      send("response.function_call_arguments.done", { ...at, name: call.name, arguments: call.arguments });
      send("response.output_item.done", { output_index: at.output_index, item: call });
    });
    send("response.completed", { response: shape("completed", output, outcome.usage) });
  }
  sse.end();
}

function textPart(text: string) {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function messageItem(id: string, text: string, status: "in_progress" | "completed", withText = true) {
  return { id, type: "message", status, role: "assistant", content: withText ? [textPart(text)] : [] };
}

interface FunctionCallItem {
  type: "function_call";
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: "completed";
}

/** The client tool calls as Responses output items; `call_id` is what the client's function_call_output names. */
function functionCalls(calls: ToolCallPart[] | undefined): FunctionCallItem[] {
  return (calls ?? []).map((call) => ({
    type: "function_call",
    id: `fc_${randomBytes(24).toString("hex")}`,
    call_id: call.id,
    name: call.name,
    arguments: callArguments(call),
    status: "completed",
  }));
}

/** A message item with the reply text (left out when the reply only calls tools), then the function calls. */
function finalOutput(itemId: string, text: string, calls: FunctionCallItem[]) {
  const message = text || calls.length === 0 ? [messageItem(itemId, text, "completed")] : [];
  return [...message, ...calls];
}

/** The request's instructions and input items as conversation entries (reasoning and references carry no text). */
function inputEntries(body: ResponsesRequest): ConversationEntry[] {
  const entries: ConversationEntry[] = [];
  if (body.instructions?.trim()) entries.push({ role: "system", text: body.instructions });
  if (typeof body.input === "string") {
    entries.push({ role: "user", text: body.input });
    return entries;
  }
  body.input.forEach((item, i) => {
    const type = item.type ?? "message";
    switch (type) {
      case "message": {
        if (!item.role) throw invalidRequest(`input[${i}].role is required for a message item`, `input[${i}].role`);
        const text = contentText(item.content, `input[${i}].content`);
        entries.push({ role: item.role === "developer" ? "system" : item.role, text });
        break;
      }
      case "function_call": {
        // The client's copy of an earlier reply's call: it belongs to that reply (the assistant entry before it).
        for (const field of ["call_id", "name", "arguments"] as const) {
          if (typeof item[field] !== "string") {
            throw invalidRequest(`input[${i}].${field} is required for a function_call item`, `input[${i}].${field}`);
          }
        }
        const call = {
          id: item.call_id ?? "",
          name: item.name ?? "",
          arguments: item.arguments ?? "",
          param: `input[${i}].arguments`,
        };
        const last = entries[entries.length - 1];
        if (last?.role === "assistant") last.toolCalls = [...(last.toolCalls ?? []), call];
        else entries.push({ role: "assistant", text: "", toolCalls: [call] });
        break;
      }
      case "function_call_output": {
        if (typeof item.call_id !== "string") {
          throw invalidRequest(
            `input[${i}].call_id is required for a function_call_output item`,
            `input[${i}].call_id`,
          );
        }
        const output = typeof item.output === "string" ? item.output : JSON.stringify(item.output ?? "");
        entries.push({ role: "tool", text: output, callId: item.call_id, callParam: `input[${i}].call_id` });
        break;
      }
      case "reasoning":
      case "item_reference":
        break;
      default:
        throw invalidRequest(`input[${i}].type "${type}" is not supported`, `input[${i}].type`);
    }
  });
  return entries;
}
