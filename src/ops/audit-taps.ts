import { z } from "zod";
import { EventHub } from "../gateway/events.js";
import { MethodRegistry } from "../gateway/methods/registry.js";
import type { MethodContext } from "../gateway/methods/types.js";
import type { AuditLog } from "./audit-log.js";

/**
 * Where the gateway feeds the audit log: a method registry that records the decisions people make over the
 * protocol (config writes, pairing, approvals, cron and agent-file edits) with who made them, and an event hub
 * that records what the gateway reports as it happens (tool runs, approval requests and outcomes, budget
 * notices, device pairing). Logins and config reloads are recorded where they happen (connection.ts, server.ts).
 */

/** Tool arguments are kept for the record, cut to this many characters (a pasted file is not evidence). */
const MAX_ARGS_CHARS = 2_000;
/** Tool starts waiting for their result; a run that never reports one must not grow this without bound. */
const MAX_OPEN_TOOL_CALLS = 1_000;

/** Params worth keeping per audited method; values never include config text, codes or tokens. */
const AUDITED_METHODS: Record<string, { type: string; keep: readonly string[] }> = {
  "config.set": { type: "config.write", keep: ["baseHash"] },
  "config.patch": { type: "config.write", keep: ["baseHash"] },
  "config.apply": { type: "config.write", keep: ["baseHash"] },
  "channels.pairing.approve": { type: "pairing.approve", keep: ["channel", "accountId", "requestId"] },
  "channels.pairing.dismiss": { type: "pairing.reject", keep: ["channel", "accountId", "requestId"] },
  "channels.start": { type: "channel.start", keep: ["channel", "accountId"] },
  "channels.stop": { type: "channel.stop", keep: ["channel", "accountId"] },
  "channels.logout": { type: "channel.logout", keep: ["channel", "accountId"] },
  "exec.approval.resolve": { type: "approval.decide", keep: ["id", "decision"] },
  "device.pair.approve": { type: "pairing.device.approve", keep: ["requestId", "deviceId"] },
  "device.pair.reject": { type: "pairing.device.reject", keep: ["requestId", "deviceId"] },
  "cron.add": { type: "cron.add", keep: ["name"] },
  "cron.update": { type: "cron.update", keep: ["id", "jobId"] },
  "cron.remove": { type: "cron.remove", keep: ["id", "jobId"] },
  "agents.files.set": { type: "agent.file.write", keep: ["agentId", "name"] },
  "sessions.delete": { type: "session.delete", keep: ["key", "sessionKey"] },
};

function pick(value: unknown, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

/** A MethodRegistry that records every call of an audited method, with its caller and outcome. */
export class AuditedMethodRegistry extends MethodRegistry {
  constructor(private readonly audit: AuditLog) {
    super();
  }

  override async call(name: string, rawParams: unknown, ctx: MethodContext): Promise<unknown> {
    const audited = AUDITED_METHODS[name];
    if (!audited) return super.call(name, rawParams, ctx);
    const actor = `client:${ctx.caller.clientId}`;
    const base = { method: name, connId: ctx.caller.connId, ...pick(rawParams, audited.keep) };
    try {
      const result = await super.call(name, rawParams, ctx);
      void this.audit.record(audited.type, { ...base, ok: true, ...pick(result, ["senderId", "id", "hash"]) }, actor);
      return result;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      void this.audit.record(
        audited.type,
        { ...base, ok: false, error: typeof code === "string" ? code : "INTERNAL" },
        actor,
      );
      throw err;
    }
  }
}

const ToolEventSchema = z.looseObject({
  runId: z.string(),
  stream: z.literal("tool"),
  data: z.looseObject({
    phase: z.string(),
    name: z.string(),
    toolCallId: z.string(),
    sessionKey: z.string().optional(),
    args: z.unknown().optional(),
    isError: z.boolean().optional(),
  }),
});

function argsText(args: unknown): string | undefined {
  if (args === undefined) return undefined;
  const text = JSON.stringify(args) ?? "";
  return text.length > MAX_ARGS_CHARS ? `${text.slice(0, MAX_ARGS_CHARS)}…` : text;
}

/** An EventHub that also writes the events worth keeping to the audit log. */
export class AuditedEventHub extends EventHub {
  /** runId/toolCallId → arguments, from a tool's start until its result. */
  private readonly openCalls = new Map<string, string | undefined>();

  constructor(private readonly audit: AuditLog) {
    super();
  }

  override broadcast(event: string, payload: unknown): void {
    super.broadcast(event, payload);
    try {
      this.tap(event, payload);
    } catch {
      // A payload of an unexpected shape is not worth failing a broadcast over; it is simply not recorded.
    }
  }

  private tap(event: string, payload: unknown): void {
    const p = (payload ?? {}) as Record<string, unknown>;
    switch (event) {
      case "agent": {
        // Most agent events are text deltas and lifecycle marks, several per turn: only tool events are parsed.
        if (p.stream !== "tool") return;
        const tool = ToolEventSchema.safeParse(payload);
        if (!tool.success) return;
        const { runId, data } = tool.data;
        const key = `${runId}/${data.toolCallId}`;
        if (data.phase === "start") {
          if (this.openCalls.size >= MAX_OPEN_TOOL_CALLS)
            this.openCalls.delete(this.openCalls.keys().next().value as string);
          this.openCalls.set(key, argsText(data.args));
        } else if (data.phase === "result") {
          const args = this.openCalls.get(key);
          this.openCalls.delete(key);
          void this.audit.record("tool.run", {
            runId,
            ...(data.sessionKey ? { sessionKey: data.sessionKey } : {}),
            tool: data.name,
            toolCallId: data.toolCallId,
            isError: data.isError ?? false,
            ...(args === undefined ? {} : { args }),
          });
        }
        return;
      }
      case "exec.approval.requested": {
        const req = (p.request ?? {}) as Record<string, unknown>;
        void this.audit.record("approval.request", {
          id: p.id,
          ...pick(req, ["command", "cwd", "host", "agentId", "sessionKey"]),
        });
        return;
      }
      case "exec.approval.resolved":
        void this.audit.record("approval.resolved", pick(p, ["id", "decision", "resolvedBy"]));
        return;
      case "budget":
        void this.audit.record(
          `budget.${String(p.state)}`,
          pick(p, ["scope", "agentId", "period", "unit", "limit", "spent", "periodId", "threshold"]),
        );
        return;
      default:
        if (event.startsWith("device.pair.") || event.includes("pairing")) {
          void this.audit.record(`pairing.event`, {
            event,
            ...pick(p, ["requestId", "deviceId", "channel", "accountId", "senderId", "decision"]),
          });
        }
    }
  }
}
