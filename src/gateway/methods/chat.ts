import { randomUUID } from "node:crypto";
import { z } from "zod";
import { PincerError } from "../../errors.js";
import { messageText } from "../../sessions/messages.js";
import { agentOf } from "./agent-access.js";
import { defineMethod } from "./types.js";

const QueueMode = z.enum(["steer", "followup", "collect", "interrupt"]);

export const ChatSendParams = z.looseObject({
  sessionKey: z.string().min(1).max(512),
  message: z.string(),
  idempotencyKey: z.string().min(1).max(256),
  agentId: z.string().min(1).optional(),
  queueMode: QueueMode.optional(),
  originatingChannel: z.string().optional(),
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
      channel: p.originatingChannel ?? "webchat",
    });
  },
});

export const chatHistoryMethod = defineMethod({
  name: "chat.history",
  scope: "operator.read",
  params: z.looseObject({
    sessionKey: z.string().min(1),
    agentId: z.string().min(1).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    maxChars: z.number().int().min(1).max(500_000).optional(),
  }),
  handler: async (p, { services }) => {
    const agent = agentOf(services);
    const { key, agent: info } = agent.resolveKey(p.sessionKey, p.agentId);
    const store = await agent.store(info.id);
    const history = await store.history(key, { limit: p.limit ?? 200 });
    const messages = history.messages.map((e) => {
      const m = { ...e.message, id: e.id } as Record<string, unknown>;
      if (p.maxChars !== undefined) {
        const text = messageText(e.message);
        if (text.length > p.maxChars) m.content = [{ type: "text", text: `${text.slice(0, p.maxChars)}…` }];
      }
      return m;
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
  },
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

export const agentMethod = defineMethod({
  name: "agent",
  scope: "operator.write",
  params: z.looseObject({
    message: z.string().min(1),
    idempotencyKey: z.string().min(1).max(256),
    agentId: z.string().min(1).optional(),
    sessionKey: z.string().min(1).optional(),
    model: z.string().optional(),
    provider: z.string().optional(),
    channel: z.string().optional(),
  }),
  handler: (p, { services }) => {
    const modelOverride = p.model
      ? p.provider && !p.model.includes("/")
        ? `${p.provider}/${p.model}`
        : p.model
      : undefined;
    return agentOf(services).send({
      sessionKey: p.sessionKey ?? "main",
      message: p.message,
      idempotencyKey: p.idempotencyKey,
      queueMode: "followup",
      ...(p.agentId ? { agentId: p.agentId } : {}),
      ...(modelOverride ? { modelOverride } : {}),
      ...(p.channel ? { channel: p.channel } : {}),
    });
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
