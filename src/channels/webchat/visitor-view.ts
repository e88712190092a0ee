import { z } from "zod";

/**
 * What a visitor may see of their own session: the words exchanged, nothing of how the answer was made. Tool
 * calls and results, thinking, usage and model details stay with the owner (they can hold files, commands and
 * costs); other sessions' events and the gateway's own (presence, health, config, cron) never reach a visitor.
 */

/** Events a visitor connection receives besides its own session's chat/agent events. */
const VISITOR_GATEWAY_EVENTS = new Set(["tick", "shutdown"]);
/** Agent streams a visitor gets: only when a run starts and ends (the text itself comes in chat events). */
const VISITOR_AGENT_STREAMS = new Set(["lifecycle"]);

const PartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });
const MessageSchema = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(PartSchema)]).optional(),
  timestamp: z.number().optional(),
  id: z.string().optional(),
  stopReason: z.string().optional(),
  errorMessage: z.string().optional(),
});

const ChatEventSchema = z.looseObject({
  runId: z.string(),
  sessionKey: z.string(),
  seq: z.number().optional(),
  state: z.string(),
  deltaText: z.string().optional(),
  message: MessageSchema.optional(),
  errorMessage: z.string().optional(),
  stopReason: z.string().optional(),
});

const AgentEventSchema = z.looseObject({
  runId: z.string(),
  seq: z.number().optional(),
  stream: z.string(),
  ts: z.number().optional(),
  data: z.looseObject({ sessionKey: z.string().optional(), phase: z.string().optional() }),
});

export interface VisitorMessage {
  id?: string;
  role: "user" | "assistant";
  content: { type: "text"; text: string }[];
  timestamp?: number;
  stopReason?: string;
  errorMessage?: string;
}

/** A transcript message as a visitor sees it: user and assistant text only; undefined when nothing is left. */
export function visitorMessageView(raw: unknown): VisitorMessage | undefined {
  const parsed = MessageSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  if (m.role !== "user" && m.role !== "assistant") return undefined;
  const content =
    typeof m.content === "string"
      ? [{ type: "text" as const, text: m.content }]
      : (m.content ?? []).flatMap((p) =>
          p.type === "text" && p.text ? [{ type: "text" as const, text: p.text }] : [],
        );
  // An assistant step that only called tools says nothing to the visitor.
  if (content.length === 0 && !m.errorMessage) return undefined;
  return {
    ...(m.id ? { id: m.id } : {}),
    role: m.role,
    content,
    ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}),
    ...(m.stopReason ? { stopReason: m.stopReason } : {}),
    ...(m.errorMessage ? { errorMessage: m.errorMessage } : {}),
  };
}

/**
 * The payload to send a visitor whose session is `sessionKey`, or undefined to send nothing. Chat events keep
 * their state, text and seq; agent events only their lifecycle phase.
 */
export function visitorEventView(event: string, payload: unknown, sessionKey: string): unknown {
  if (VISITOR_GATEWAY_EVENTS.has(event)) return payload;
  if (event === "chat") {
    const ev = ChatEventSchema.safeParse(payload);
    if (!ev.success || ev.data.sessionKey !== sessionKey) return undefined;
    const { runId, seq, state, deltaText, errorMessage, stopReason } = ev.data;
    const message = ev.data.message ? visitorMessageView(ev.data.message) : undefined;
    return {
      runId,
      sessionKey,
      ...(seq !== undefined ? { seq } : {}),
      state,
      ...(deltaText !== undefined ? { deltaText } : {}),
      ...(message ? { message } : {}),
      ...(errorMessage ? { errorMessage } : {}),
      ...(stopReason ? { stopReason } : {}),
    };
  }
  if (event === "agent") {
    const ev = AgentEventSchema.safeParse(payload);
    if (!ev.success || ev.data.data.sessionKey !== sessionKey || !VISITOR_AGENT_STREAMS.has(ev.data.stream)) {
      return undefined;
    }
    const { runId, seq, stream, ts, data } = ev.data;
    return {
      runId,
      ...(seq !== undefined ? { seq } : {}),
      stream,
      ...(ts !== undefined ? { ts } : {}),
      data: { sessionKey, ...(data.phase ? { phase: data.phase } : {}) },
    };
  }
  return undefined;
}
