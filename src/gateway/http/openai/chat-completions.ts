import { randomBytes } from "node:crypto";
import { z } from "zod";
import { apiRunRequest, runForApi } from "./agent-run.js";
import { resolveRunTarget } from "./agent-target.js";
import { agentMessage, type ConversationEntry } from "./conversation.js";
import { invalidRequest, outcomeFailure, sendOpenAiError } from "./errors.js";
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

const ChatMessage = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.unknown().optional(),
  name: z.string().optional(),
  tool_call_id: z.string().optional(),
});

const FunctionTool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({ name: z.string().min(1), description: z.string().optional() }),
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
 * The agent runs with its own tools; tools the client declares are not offered to it (see checkToolChoice).
 */
export async function handleChatCompletions(ctx: ApiContext): Promise<void> {
  const parsed = ChatCompletionRequest.safeParse(ctx.body ?? {});
  if (!parsed.success) return sendOpenAiError(ctx.res, requestError(parsed.error), ctx.requestId);
  const body = parsed.data;
  checkToolChoice(body);
  const entries = body.messages.map((m, i): ConversationEntry => {
    const text = contentText(m.content, `messages[${i}].content`);
    switch (m.role) {
      case "system":
      case "developer":
        return { role: "system", text };
      case "tool":
      case "function":
        return { role: "tool", text, ...(m.tool_call_id ? { callId: m.tool_call_id } : {}) };
      default:
        return { role: m.role, text };
    }
  });
  const target = resolveRunTarget(ctx.req, { model: body.model, user: body.user ?? undefined }, ctx.runtime.agents(), {
    surface: "openai",
  });
  const includeInstructions =
    !target.stateful || !(await sessionExists(ctx.runtime, target.sessionKey, target.agent.id));
  const message = agentMessage(entries, { stateful: target.stateful, includeInstructions, param: "messages" });

  const id = `chatcmpl-${randomBytes(18).toString("base64url")}`;
  const created = Math.floor(Date.now() / 1000);
  const run = apiRunRequest(target, id, message, ctx.signal);

  if (!body.stream) {
    const { outcome, text } = await runForApi(ctx.services, ctx.runtime, run);
    if (ctx.signal.aborted) return;
    if (outcome.status !== "ok") {
      const failure = outcomeFailure(outcome);
      return sendOpenAiError(ctx.res, failure, ctx.requestId);
    }
    const payload = JSON.stringify({
      id,
      object: "chat.completion",
      created,
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
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
  const { outcome } = await runForApi(ctx.services, ctx.runtime, {
    ...run,
    onText: (delta) => sse.data(chunk({ content: delta }, null)),
  });
  if (sse.closed) return;
  if (outcome.status !== "ok") {
    const failure = outcomeFailure(outcome);
    // After the headers the status is spent: the error goes in-band, where OpenAI clients raise it.
    sse.data(failure.body());
  } else {
    sse.data(chunk({}, "stop"));
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

/**
 * Client-declared tools are not executed or offered to the agent: the agent acts with its own tools. A request
 * that insists on a client tool call (tool_choice "required" or a named function) cannot be honoured, so it
 * fails up front instead of returning text the client does not expect.
 */
function checkToolChoice(body: ChatCompletionRequest): void {
  const choice = body.tool_choice;
  if (choice && typeof choice === "object") {
    const name = choice.function.name;
    if (!(body.tools ?? []).some((t) => t.function.name === name)) {
      throw invalidRequest(`tool_choice names function "${name}", which is not in tools`, "tool_choice.function.name");
    }
  }
  if (choice === "required" || (choice && typeof choice === "object")) {
    throw invalidRequest(
      'tool_choice that forces a client tool call is not supported: the agent answers with its own tools; use tool_choice "auto" or omit it',
      "tool_choice",
      "unsupported_parameter",
    );
  }
}
