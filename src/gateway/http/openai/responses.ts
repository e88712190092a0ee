import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Usage } from "../../../sessions/messages.js";
import { apiRunRequest, runForApi } from "./agent-run.js";
import { resolveRunTarget } from "./agent-target.js";
import { agentMessage, type ConversationEntry } from "./conversation.js";
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
});

export const ResponsesRequest = z.looseObject({
  model: z.string().min(1, "model must not be empty"),
  input: z.union([z.string(), z.array(InputItem)]),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  stream: z.boolean().nullish(),
  user: UserField,
  max_output_tokens: z.int().positive().nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z.unknown().optional(),
  ...SamplingFields,
});
type ResponsesRequest = z.infer<typeof ResponsesRequest>;

/**
 * POST /v1/responses: one agent turn per request in OpenAI's Responses shape, streamed as its typed SSE events
 * when asked. `previous_response_id` continues the session an earlier response ran in.
 */
export async function handleResponses(ctx: ApiContext, sessions: ResponseSessions): Promise<void> {
  const parsed = ResponsesRequest.safeParse(ctx.body ?? {});
  if (!parsed.success) return sendOpenAiError(ctx.res, requestError(parsed.error), ctx.requestId);
  const body = parsed.data;
  if (body.tool_choice === "required" || (typeof body.tool_choice === "object" && body.tool_choice !== null)) {
    throw invalidRequest(
      "tool_choice that forces a client tool call is not supported: the agent answers with its own tools",
      "tool_choice",
      "unsupported_parameter",
    );
  }
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
  const entries = inputEntries(body);
  const includeInstructions =
    !target.stateful || !(await sessionExists(ctx.runtime, target.sessionKey, target.agent.id));
  const message = agentMessage(entries, { stateful: target.stateful, includeInstructions, param: "input" });

  const id = `resp_${randomBytes(24).toString("hex")}`;
  const itemId = `msg_${randomBytes(24).toString("hex")}`;
  const createdAt = Math.floor(Date.now() / 1000);
  const shape = (status: string, text: string | undefined, usage: Usage | undefined, error?: OpenAiHttpError) => ({
    id,
    object: "response",
    created_at: createdAt,
    status,
    error: error ? { code: error.code ?? "server_error", message: error.message } : null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output: text === undefined ? [] : [messageItem(itemId, text, "completed")],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    usage: usage ? responsesUsage(usage) : null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  });
  const run = apiRunRequest(target, id, message, ctx.signal);

  if (!body.stream) {
    const result = await runForApi(ctx.services, ctx.runtime, run);
    if (ctx.signal.aborted) return;
    const { outcome } = result;
    if (outcome.status !== "ok") {
      return sendOpenAiError(ctx.res, outcomeFailure(outcome), ctx.requestId);
    }
    sessions.remember(id, { sessionKey: result.sessionKey, agentId: target.agent.id });
    const payload = JSON.stringify(shape("completed", result.text, outcome.usage));
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
  sse.open(ctx.requestId);
  send("response.created", { response: shape("in_progress", undefined, undefined) });
  send("response.in_progress", { response: shape("in_progress", undefined, undefined) });
  send("response.output_item.added", { output_index: 0, item: messageItem(itemId, "", "in_progress", false) });
  send("response.content_part.added", { ...where, part: textPart("") });
  const result = await runForApi(ctx.services, ctx.runtime, {
    ...run,
    onText: (delta) => send("response.output_text.delta", { ...where, delta, logprobs: [] }),
  });
  if (sse.closed) return;
  const { outcome, text } = result;
  if (outcome.status !== "ok") {
    const failure = outcomeFailure(outcome);
    send("response.failed", { response: { ...shape("failed", undefined, outcome.usage, failure), output: [] } });
  } else {
    sessions.remember(id, { sessionKey: result.sessionKey, agentId: target.agent.id });
    send("response.output_text.done", { ...where, text, logprobs: [] });
    send("response.content_part.done", { ...where, part: textPart(text) });
    send("response.output_item.done", { output_index: 0, item: messageItem(itemId, text, "completed") });
    send("response.completed", { response: shape("completed", text, outcome.usage) });
  }
  sse.end();
}

function textPart(text: string) {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function messageItem(id: string, text: string, status: "in_progress" | "completed", withText = true) {
  return { id, type: "message", status, role: "assistant", content: withText ? [textPart(text)] : [] };
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
      case "function_call_output": {
        const output = typeof item.output === "string" ? item.output : JSON.stringify(item.output ?? "");
        entries.push({ role: "tool", text: output, ...(item.call_id ? { callId: item.call_id } : {}) });
        break;
      }
      case "function_call":
      case "reasoning":
      case "item_reference":
        break;
      default:
        throw invalidRequest(`input[${i}].type "${type}" is not supported`, `input[${i}].type`);
    }
  });
  return entries;
}
