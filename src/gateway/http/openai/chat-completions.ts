import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { ToolCallPart } from "../../../sessions/messages.js";
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
import { outcomeFailure, sendOpenAiError } from "./errors.js";
import {
  type ApiContext,
  contentText,
  requestError,
  SamplingFields,
  sessionExists,
  UserField,
} from "./request-fields.js";
import { SseWriter } from "./sse.js";
import { chatUsage } from "./usage.js";

const AssistantToolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal("function").optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const ChatMessage = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.unknown().optional(),
  name: z.string().nullish(),
  tool_call_id: z.string().nullish(),
  tool_calls: z.array(AssistantToolCall).nullish(),
});

const FunctionTool = z.looseObject({
  type: z.literal("function", { error: 'only tools of type "function" are supported' }),
  function: z.looseObject({
    name: ToolName,
    description: z.string().nullish(),
    parameters: FunctionParameters.nullish(),
    strict: z.boolean().nullish(),
  }),
});

export const ChatCompletionRequest = z.looseObject({
  model: z.string().min(1, "model must not be empty"),
  messages: z.array(ChatMessage).min(1, "messages must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  user: UserField,
  n: z.int().min(1).max(1, "n > 1 is not supported: an agent gives one reply").nullish(),
  max_tokens: z.int().positive().nullish(),
  max_completion_tokens: z.int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string().min(1)).max(4, "stop takes at most 4 sequences")]).nullish(),
  tools: z.array(FunctionTool).nullish(),
  tool_choice: z
    .union([
      z.enum(["auto", "none", "required"]),
      z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().min(1) }) }),
    ])
    .nullish(),
  ...SamplingFields,
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/**
 * POST /v1/chat/completions: one agent turn per request, answered as a chat completion (or its SSE chunks).
 * The agent runs with its own tools plus the client's function `tools`; a call to one of those ends the turn
 * with `finish_reason: "tool_calls"`, and the client's `role: "tool"` messages continue it.
 */
export async function handleChatCompletions(ctx: ApiContext): Promise<void> {
  const parsed = ChatCompletionRequest.safeParse(ctx.body ?? {});
  if (!parsed.success) return sendOpenAiError(ctx.res, requestError(parsed.error), ctx.requestId);
  const body = parsed.data;
  const declared = (body.tools ?? []).map(
    (t, i): DeclaredTool => ({ ...t.function, param: `tools[${i}].function.name` }),
  );
  const choice = body.tool_choice;
  const plan = planClientTools(
    declared,
    typeof choice === "object" && choice ? { name: choice.function.name } : (choice ?? undefined),
    "tool_choice.function.name",
  );
  const entries = body.messages.map((m, i) => chatEntry(m, `messages[${i}]`));
  const target = resolveRunTarget(ctx.req, { model: body.model, user: body.user ?? undefined }, ctx.runtime.agents(), {
    surface: "openai",
  });
  await checkNoClash(
    ctx.runtime,
    { agentId: target.agent.id, sessionKey: target.sessionKey, model: target.modelOverride },
    declared,
  );
  const exists = target.stateful && (await sessionExists(ctx.runtime, target.sessionKey, target.agent.id));
  const continues = entries.some((e) => e.role === "tool");
  const input = agentTurn(entries, {
    stateful: target.stateful,
    includeInstructions: !exists,
    param: "messages",
    pending: exists && continues ? await pendingToolCalls(ctx.runtime, target.sessionKey, target.agent.id) : [],
  });

  const id = `chatcmpl-${randomBytes(18).toString("base64url")}`;
  const created = Math.floor(Date.now() / 1000);
  const run = apiRunRequest(target, id, input, plan, ctx.signal);

  if (!body.stream) {
    const { outcome, text, clientCalls } = await runForApi(ctx.services, ctx.runtime, run);
    if (ctx.signal.aborted) return;
    if (outcome.status !== "ok") {
      const failure = outcomeFailure(outcome);
      return sendOpenAiError(ctx.res, failure, ctx.requestId);
    }
    const unmet = missingRequiredCall(plan, clientCalls);
    if (unmet) return sendOpenAiError(ctx.res, unmet, ctx.requestId);
    const message = clientCalls
      ? {
          role: "assistant",
          content: text || null,
          refusal: null,
          annotations: [],
          tool_calls: clientCalls.map(toolCall),
        }
      : { role: "assistant", content: text, refusal: null, annotations: [] };
    const payload = JSON.stringify({
      id,
      object: "chat.completion",
      created,
      model: body.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: clientCalls ? "tool_calls" : "stop" }],
      usage: chatUsage(outcome.usage),
    });
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

  const includeUsage = body.stream_options?.include_usage === true;
  const sse = new SseWriter(ctx.res);
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model: body.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    // With include_usage every chunk carries `usage: null` and one last chunk carries the totals (OpenAI's shape).
    ...(includeUsage ? { usage: null } : {}),
  });
  sse.open(ctx.requestId);
  sse.data(chunk({ role: "assistant", content: "", refusal: null }, null));
  const { outcome, clientCalls } = await runForApi(ctx.services, ctx.runtime, {
    ...run,
    onText: (delta) => sse.data(chunk({ content: delta }, null)),
  });
  if (sse.closed) return;
  const failure = outcome.status !== "ok" ? outcomeFailure(outcome) : missingRequiredCall(plan, clientCalls);
  if (failure) {
    // After the headers the status is spent: the error goes in-band, where OpenAI clients raise it.
    sse.data(failure.body());
  } else {
    // Each call as OpenAI streams it: identity first (arguments empty), then its arguments, keyed by index.
    (clientCalls ?? []).forEach((call, index) => {
      const head = { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } };
      sse.data(chunk({ tool_calls: [head] }, null));
      sse.data(chunk({ tool_calls: [{ index, function: { arguments: callArguments(call) } }] }, null));
    });
    sse.data(chunk({}, clientCalls ? "tool_calls" : "stop"));
    if (includeUsage) {
      sse.data({
        id,
        object: "chat.completion.chunk",
        created,
        model: body.model,
        choices: [],
        usage: chatUsage(outcome.usage),
      });
    }
  }
  sse.done();
  sse.end();
}

/** One request message as a conversation entry (tool results keep the call they answer and where it sits). */
function chatEntry(m: z.infer<typeof ChatMessage>, param: string): ConversationEntry {
  const text = contentText(m.content, `${param}.content`);
  switch (m.role) {
    case "system":
    case "developer":
      return { role: "system", text };
    case "tool":
      return { role: "tool", text, callId: m.tool_call_id ?? "", callParam: `${param}.tool_call_id` };
    case "function":
      // Legacy function results name the function, not a call id.
      return { role: "tool", text, toolName: m.name ?? "", callParam: `${param}.name` };
    case "assistant":
      return {
        role: "assistant",
        text,
        ...(m.tool_calls?.length
          ? {
              toolCalls: m.tool_calls.map((c, j) => ({
                id: c.id,
                name: c.function.name,
                arguments: c.function.arguments,
                param: `${param}.tool_calls[${j}].function.arguments`,
              })),
            }
          : {}),
      };
    default:
      return { role: m.role, text };
  }
}

function toolCall(call: ToolCallPart) {
  return { id: call.id, type: "function", function: { name: call.name, arguments: callArguments(call) } };
}
