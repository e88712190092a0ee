import { randomUUID } from "node:crypto";
import { z } from "zod";
import { parseSlashCommand } from "../../agent/commands.js";
import type { AgentRuntime } from "../../agent/runtime.js";
import { admitVisitorMessage, WEBCHAT_ACCOUNT_ID, WEBCHAT_CHANNEL } from "../../channels/webchat/admission.js";
import { webchatHubOf } from "../../channels/webchat/hub.js";
import type { VisitorSession } from "../../channels/webchat/session.js";
import { webchatSettings } from "../../channels/webchat/settings.js";
import { visitorMessageView } from "../../channels/webchat/visitor-view.js";
import { PincerError } from "../../errors.js";
import { type AgentMessage, messageText } from "../../sessions/messages.js";
import { formatIssues } from "../protocol/frames.js";
import { agentOf } from "./agent-access.js";
import { defineMethod, type MethodContext } from "./types.js";

const QueueMode = z.enum(["steer", "followup", "collect", "interrupt"]);

export const ChatSendParams = z.looseObject({
  sessionKey: z.string().min(1).max(512),
  message: z.string(),
  idempotencyKey: z.string().min(1).max(256),
  agentId: z.string().min(1).optional(),
  queueMode: QueueMode.optional(),
  originatingChannel: z.string().optional(),
  /** Stops the run after this long (shorter than agents.defaults.timeoutSeconds to matter). */
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
});

export const chatSendMethod = defineMethod({
  name: "chat.send",
  scope: "operator.write",
  params: ChatSendParams,
  handler: (p, { services }) => {
    if (!p.message.trim()) throw new PincerError("INVALID_REQUEST", "params.message is empty: send some text");
    return agentOf(services).send({
      sessionKey: p.sessionKey,
      message: p.message,
      idempotencyKey: p.idempotencyKey,
      ...(p.agentId ? { agentId: p.agentId } : {}),
      ...(p.queueMode ? { queueMode: p.queueMode } : {}),
      ...(p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}),
      channel: p.originatingChannel ?? "webchat",
    });
  },
});

const ChatHistoryParams = z.looseObject({
  sessionKey: z.string().min(1),
  agentId: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  maxChars: z.number().int().min(1).max(500_000).optional(),
});

/** chat.history's answer; `view` turns each stored message into what the caller may see (undefined: skip). */
async function readHistory(
  services: MethodContext["services"],
  p: z.infer<typeof ChatHistoryParams>,
  view: (message: AgentMessage) => Record<string, unknown> | undefined = (m) => ({ ...m }),
) {
  const agent = agentOf(services);
  const { key, agent: info } = agent.resolveKey(p.sessionKey, p.agentId);
  const store = await agent.store(info.id);
  const history = await store.history(key, { limit: p.limit ?? 200 });
  const messages = history.messages.flatMap((e) => {
    const m = view(e.message);
    if (!m) return [];
    m.id = e.id;
    if (p.maxChars !== undefined) {
      const text = messageText(e.message);
      if (text.length > p.maxChars) m.content = [{ type: "text", text: `${text.slice(0, p.maxChars)}…` }];
    }
    return [m];
  });
  const entry = store.get(key);
  return {
    sessionKey: key,
    agentId: info.id,
    ...(history.sessionId ? { sessionId: history.sessionId } : {}),
    messages,
    ...(history.compaction
      ? { compaction: { summary: history.compaction.summary, timestamp: history.compaction.timestamp } }
      : {}),
    ...(history.skipped.length ? { skippedLines: history.skipped.length } : {}),
    ...(entry?.model ? { model: entry.model } : {}),
    inFlightRun: agent.runs.active(key)[0]?.runId ?? null,
  };
}

export const chatHistoryMethod = defineMethod({
  name: "chat.history",
  scope: "operator.read",
  params: ChatHistoryParams,
  handler: (p, { services }) => readHistory(services, p),
});

export const chatAbortMethod = defineMethod({
  name: "chat.abort",
  scope: "operator.write",
  params: z.looseObject({
    sessionKey: z.string().min(1),
    agentId: z.string().min(1).optional(),
    runId: z.string().min(1).optional(),
  }),
  handler: (p, { services }) => ({ ok: true, ...agentOf(services).abort(p.sessionKey, p.runId, p.agentId) }),
});

/** The key of the agent's session whose current transcript id is `sessionId`; else `sessionId` names the session. */
async function sessionKeyOfId(runtime: AgentRuntime, sessionId: string, agentId: string | undefined): Promise<string> {
  const { agent } = runtime.resolveKey("main", agentId);
  const store = await runtime.store(agent.id);
  return store.list().items.find((s) => s.entry.sessionId === sessionId)?.key ?? sessionId;
}

export const agentMethod = defineMethod({
  name: "agent",
  scope: "operator.write",
  params: z.looseObject({
    message: z.string().min(1),
    idempotencyKey: z.string().min(1).max(256),
    agentId: z.string().min(1).optional(),
    sessionKey: z.string().min(1).optional(),
    /** OpenClaw's `agent --session-id`: an existing session's id, else a session of that name. */
    sessionId: z.string().min(1).max(512).optional(),
    model: z.string().optional(),
    provider: z.string().optional(),
    channel: z.string().optional(),
    /** OpenClaw: seconds to wait for the final answer (0: as long as the run may take). */
    timeout: z.number().int().min(0).optional(),
    /** OpenClaw: also send the reply on a channel (replyChannel/channel, replyTo/to, replyAccountId). */
    deliver: z.boolean().optional(),
    to: z.string().min(1).optional(),
    replyChannel: z.string().min(1).optional(),
    replyTo: z.string().min(1).optional(),
    replyAccountId: z.string().min(1).optional(),
    bestEffortDeliver: z.boolean().optional(),
  }),
  handler: async (p, { services, accept, signal }) => {
    // Checked before the run starts: a bad delivery target fails at once, not after a model call.
    const delivery = accept ? await (await import("./agent-deliver.js")).resolveAgentDelivery(services, p) : undefined;
    const modelOverride = p.model
      ? p.provider && !p.model.includes("/")
        ? `${p.provider}/${p.model}`
        : p.model
      : undefined;
    const runtime = agentOf(services);
    const sessionKey = p.sessionKey ?? (p.sessionId ? await sessionKeyOfId(runtime, p.sessionId, p.agentId) : "main");
    const ack = runtime.send({
      sessionKey,
      message: p.message,
      idempotencyKey: p.idempotencyKey,
      queueMode: "followup",
      ...(p.agentId ? { agentId: p.agentId } : {}),
      ...(modelOverride ? { modelOverride } : {}),
      ...(p.channel ? { channel: p.channel } : {}),
      ...(p.timeout ? { timeoutMs: p.timeout * 1000 } : {}),
    });
    // In-process callers get the acceptance alone; a connection gets it now and the final answer when the run
    // ends, as OpenClaw's gateway does (its CLI waits for that second response and prints the reply).
    if (!accept) return ack;
    if (ack.status === "accepted" || ack.status === "in_flight") accept(ack);
    const { awaitAgentFinal } = await import("./agent-final.js");
    const limitSeconds = p.timeout || runtime.config.agents.defaults.timeoutSeconds;
    const final = await awaitAgentFinal(runtime.runs, ack, { timeoutMs: (limitSeconds + 30) * 1000, signal });
    return delivery ? (await import("./agent-deliver.js")).deliverAgentReply(delivery, final) : final;
  },
});

export const agentWaitMethod = defineMethod({
  name: "agent.wait",
  scope: "operator.write",
  params: z.looseObject({ runId: z.string().min(1), timeoutMs: z.number().int().min(0).max(3_600_000).optional() }),
  handler: async (p, { services }) => {
    const runtime = agentOf(services);
    const run = runtime.runs.get(p.runId);
    if (!run) throw new PincerError("NOT_FOUND", `no run "${p.runId}" (finished runs are kept 15 minutes)`);
    const outcome = await runtime.runs.wait(run, p.timeoutMs ?? 30_000);
    if (!outcome)
      return { runId: run.runId, status: "timeout", ...(run.startedAt ? { startedAt: run.startedAt } : {}) };
    return {
      runId: run.runId,
      status: outcome.status,
      sessionKey: run.sessionKey,
      ...(run.startedAt ? { startedAt: run.startedAt } : {}),
      endedAt: outcome.endedAt,
      text: outcome.text,
      ...(outcome.usage ? { usage: outcome.usage } : {}),
      ...(outcome.error ? { error: outcome.error.message, errorKind: outcome.error.kind } : {}),
    };
  },
});

/** sessions.compact goes through the session's queue like a `/compact` message, so it never races a turn. */
export async function compactViaQueue(services: Parameters<typeof agentOf>[0], key: string, agentId?: string) {
  const runtime = agentOf(services);
  const ack = runtime.send({
    sessionKey: key,
    message: "/compact",
    idempotencyKey: `compact-${randomUUID()}`,
    queueMode: "followup",
    ...(agentId ? { agentId } : {}),
  });
  const run = runtime.runs.get(ack.runId);
  const outcome = run ? await runtime.runs.wait(run, 10 * 60_000) : undefined;
  return {
    ok: outcome?.status === "ok",
    key: ack.sessionKey,
    message: outcome?.text ?? "compaction did not finish in time",
  };
}

/** What a WebChat visitor connection may call; each acts on the visitor's own session only. */
export const VISITOR_METHODS = ["chat.send", "chat.history", "chat.abort"] as const;
/**
 * Slash commands a visitor may use: starting over and stopping a reply. /model (a costlier model on the
 * owner's bill), /status (models, usage) and /compact are the owner's.
 */
const VISITOR_COMMANDS: ReadonlySet<string> = new Set(["new", "reset", "stop"]);

const VisitorSessionParam = { sessionKey: z.string().min(1).max(512).optional() };
const VisitorSendParams = z.looseObject({
  ...VisitorSessionParam,
  message: z.string(),
  idempotencyKey: z.string().min(1).max(200),
});
const VisitorHistoryParams = z.looseObject({
  ...VisitorSessionParam,
  limit: z.number().int().min(1).max(1000).optional(),
  maxChars: z.number().int().min(1).max(500_000).optional(),
});
const VisitorAbortParams = z.looseObject({ ...VisitorSessionParam, runId: z.string().min(1).max(256).optional() });

function parseVisitorParams<S extends z.ZodType>(method: string, schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new PincerError("INVALID_REQUEST", `invalid params for ${method}: ${formatIssues(parsed.error, "params")}`);
  }
  return parsed.data;
}

/** A visitor may name its session (the widget does) but never another one. */
function assertOwnSession(ctx: MethodContext, visitor: VisitorSession, sessionKey: string | undefined): void {
  if (sessionKey === undefined) return;
  const { key } = agentOf(ctx.services).resolveKey(sessionKey, visitor.agentId);
  if (key !== visitor.sessionKey) {
    throw new PincerError("FORBIDDEN", `a WebChat visitor can only use its own session (${visitor.sessionKey})`, {
      details: { code: "VISITOR_FORBIDDEN", sessionKey },
    });
  }
}

/**
 * The methods of a WebChat visitor connection. They never go through the operator registry: a visitor holds
 * no operator scope, and this allow-list is the whole of what it can do.
 */
export async function callAsVisitor(
  method: string,
  rawParams: unknown,
  ctx: MethodContext,
  visitor: VisitorSession,
): Promise<unknown> {
  const { services } = ctx;
  switch (method) {
    case "chat.send": {
      const p = parseVisitorParams(method, VisitorSendParams, rawParams);
      assertOwnSession(ctx, visitor, p.sessionKey);
      const command = parseSlashCommand(p.message);
      if (command && !VISITOR_COMMANDS.has(command.name)) {
        throw new PincerError("FORBIDDEN", `/${command.name} is not available in WebChat: send a plain message`, {
          details: { code: "VISITOR_FORBIDDEN", command: command.name },
        });
      }
      const hub = webchatHubOf(services);
      await admitVisitorMessage({
        settings: webchatSettings(services.config.current.config),
        visitorId: visitor.visitorId,
        text: p.message,
        pairing: hub.pairing(),
        limiter: hub.messageLimiter,
        now: hub.now(),
      });
      const ack = agentOf(services).send({
        sessionKey: visitor.sessionKey,
        message: p.message,
        // Namespaced: run ids are looked up by idempotency key, and one visitor must not hit another's run.
        idempotencyKey: `${WEBCHAT_CHANNEL}:${visitor.visitorId}:${p.idempotencyKey}`,
        agentId: visitor.agentId,
        channel: WEBCHAT_CHANNEL,
        queueMode: "followup",
        origin: { channel: WEBCHAT_CHANNEL, to: visitor.visitorId, accountId: WEBCHAT_ACCOUNT_ID },
      });
      hub.lastInboundAt = hub.now();
      return ack;
    }
    case "chat.history": {
      const p = parseVisitorParams(method, VisitorHistoryParams, rawParams);
      assertOwnSession(ctx, visitor, p.sessionKey);
      const history = await readHistory(
        services,
        {
          sessionKey: visitor.sessionKey,
          agentId: visitor.agentId,
          ...(p.limit !== undefined ? { limit: p.limit } : {}),
          ...(p.maxChars !== undefined ? { maxChars: p.maxChars } : {}),
        },
        (m) => visitorMessageView(m) as Record<string, unknown> | undefined,
      );
      // Compaction summaries and model names describe how the session was run, which is the owner's business.
      return { sessionKey: history.sessionKey, messages: history.messages, inFlightRun: history.inFlightRun };
    }
    case "chat.abort": {
      const p = parseVisitorParams(method, VisitorAbortParams, rawParams);
      assertOwnSession(ctx, visitor, p.sessionKey);
      return { ok: true, ...agentOf(services).abort(visitor.sessionKey, p.runId, visitor.agentId) };
    }
    default:
      throw new PincerError(
        "FORBIDDEN",
        `method ${method} is not available to WebChat visitors: they may call ${VISITOR_METHODS.join(", ")}`,
        { details: { code: "VISITOR_FORBIDDEN", method } },
      );
  }
}
