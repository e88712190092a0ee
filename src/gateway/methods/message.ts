import { z } from "zod";
import { PincerError } from "../../errors.js";
import type { GatewayServices } from "../services.js";
import type { OutboundResult } from "./channel-outbound.js";
import type { MethodDef } from "./types.js";
import { defineMethod } from "./types.js";

/**
 * `send` and `message.action`: an operator (OpenClaw's `openclaw message send`, a script) sends on a messaging
 * channel through the gateway's connected accounts. Both take an idempotencyKey; a retry with the same key
 * within ten minutes gets the first send's answer instead of sending twice. The channel code loads on the
 * first call.
 */

const DEDUPE_TTL_MS = 10 * 60_000;
const DEDUPE_MAX = 1_000;

/** Sends in flight or done, per gateway: the key's first answer (a failed send is forgotten so it can be retried). */
const sentByGateway = new WeakMap<GatewayServices, Map<string, { at: number; result: Promise<unknown> }>>();

function once<T>(services: GatewayServices, key: string, send: () => Promise<T>): Promise<T> {
  let sent = sentByGateway.get(services);
  if (!sent) {
    sent = new Map();
    sentByGateway.set(services, sent);
  }
  const now = Date.now();
  for (const [k, v] of sent) {
    // Insertion order is age order: stop at the first entry still fresh (and under the cap).
    if (now - v.at < DEDUPE_TTL_MS && sent.size <= DEDUPE_MAX) break;
    sent.delete(k);
  }
  const prior = sent.get(key);
  if (prior) return prior.result as Promise<T>;
  const result = send();
  const table = sent;
  table.set(key, { at: now, result });
  result.catch(() => table.delete(key));
  return result;
}

/** The channel to use when none is named: the only configured one; otherwise the caller must say. */
function soleChannel(services: GatewayServices): string {
  const configured = Object.keys(services.channels?.status().channelAccounts ?? {}).filter((c) => c !== "webchat");
  if (configured.length === 1) return configured[0] as string;
  throw new PincerError(
    "INVALID_REQUEST",
    `params.channel is required: configured channels are ${configured.join(", ") || "none"}`,
  );
}

interface SendRequest {
  channel: string;
  accountId?: string | undefined;
  to: string;
  text?: string | undefined;
  mediaUrls: string[];
  threadId?: string | undefined;
  replyToId?: string | undefined;
}

async function deliver(services: GatewayServices, req: SendRequest): Promise<OutboundResult> {
  const { parseOutboundTarget, resolveOutboundAccount, sendOutbound } = await import("./channel-outbound.js");
  const account = await resolveOutboundAccount(
    services.channels,
    services.config.current.config,
    req.channel,
    req.accountId,
  );
  const target = parseOutboundTarget(account.plugin, req.to, { threadId: req.threadId, replyToId: req.replyToId });
  const result = await sendOutbound(account, target, { text: req.text, mediaUrls: req.mediaUrls });
  services.log.info(
    { channel: result.channel, accountId: result.accountId, chunks: result.chunks, media: result.media },
    "operator message sent",
  );
  return result;
}

const optionalText = z.string().max(100_000).optional();

export const SendParams = z.looseObject({
  to: z.string().min(1).max(512),
  message: optionalText,
  mediaUrl: z.string().min(1).optional(),
  mediaUrls: z.array(z.string().min(1)).max(10).optional(),
  buffer: z.string().optional(),
  channel: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
  threadId: z.string().min(1).optional(),
  replyToId: z.string().min(1).optional(),
  idempotencyKey: z.string().min(1).max(256),
});

function mediaOf(p: { mediaUrl?: string | undefined; mediaUrls?: string[] | undefined }): string[] {
  return [...(p.mediaUrl ? [p.mediaUrl] : []), ...(p.mediaUrls ?? [])];
}

/** Inline attachments would need the gateway to stage files; it sends https URLs only. */
function refuseInlineBuffer(buffer: unknown, field: string): void {
  if (buffer !== undefined) {
    throw new PincerError("INVALID_REQUEST", `${field} (inline attachment) is not supported: pass an https mediaUrl`);
  }
}

export const sendMethod = defineMethod({
  name: "send",
  scope: "operator.write",
  params: SendParams,
  handler: async (p, { services }) => {
    refuseInlineBuffer(p.buffer, "params.buffer");
    const channel = p.channel ?? soleChannel(services);
    const result = await once(services, `send:${p.idempotencyKey}`, () =>
      deliver(services, {
        channel,
        accountId: p.accountId,
        to: p.to,
        text: p.message,
        mediaUrls: mediaOf(p),
        threadId: p.threadId,
        replyToId: p.replyToId,
      }),
    );
    return { runId: p.idempotencyKey, ...result };
  },
});

/** message.action's inner `params` for "send": OpenClaw's CLI option names, with the obvious aliases. */
const ActionSendParams = z.looseObject({
  target: z.string().min(1).max(512).optional(),
  to: z.string().min(1).max(512).optional(),
  message: optionalText,
  text: optionalText,
  media: z.string().min(1).optional(),
  mediaUrl: z.string().min(1).optional(),
  mediaUrls: z.array(z.string().min(1)).max(10).optional(),
  buffer: z.string().optional(),
  accountId: z.string().min(1).optional(),
  threadId: z.union([z.string().min(1), z.number()]).optional(),
  replyTo: z.union([z.string().min(1), z.number()]).optional(),
  replyToId: z.union([z.string().min(1), z.number()]).optional(),
});

export const MessageActionParams = z.looseObject({
  channel: z.string().min(1),
  action: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  accountId: z.string().optional(),
  idempotencyKey: z.string().min(1).max(256),
});

/** The actions message.action runs, by name; any other is answered "does not support" like OpenClaw does. */
const ACTIONS: Record<string, (services: GatewayServices, p: z.infer<typeof MessageActionParams>) => Promise<unknown>> =
  {
    send: async (services, p) => {
      const parsed = ActionSendParams.safeParse(p.params);
      if (!parsed.success) {
        const { formatIssues } = await import("../protocol/frames.js");
        throw new PincerError(
          "INVALID_REQUEST",
          `invalid message.action send: ${formatIssues(parsed.error, "params.params")}`,
        );
      }
      const a = parsed.data;
      refuseInlineBuffer(a.buffer, "params.params.buffer");
      const to = a.target ?? a.to;
      if (!to) throw new PincerError("INVALID_REQUEST", "params.params.target is required: who to send to");
      const reply = a.replyToId ?? a.replyTo;
      const result = await once(services, `action:${p.idempotencyKey}`, () =>
        deliver(services, {
          channel: p.channel,
          accountId: p.accountId || a.accountId,
          to,
          text: a.message ?? a.text,
          mediaUrls: [...(a.media ? [a.media] : []), ...mediaOf(a)],
          threadId: a.threadId === undefined ? undefined : String(a.threadId),
          replyToId: reply === undefined ? undefined : String(reply),
        }),
      );
      return { ok: true, action: "send", runId: p.idempotencyKey, ...result };
    },
    react: (services, p) => actOn(services, "react", p),
    edit: (services, p) => actOn(services, "edit", p),
    delete: (services, p) => actOn(services, "delete", p),
  };

/** react / edit / delete, once per idempotencyKey like a send. */
async function actOn(
  services: GatewayServices,
  action: "react" | "edit" | "delete",
  p: z.infer<typeof MessageActionParams>,
): Promise<unknown> {
  const { runMessageAction } = await import("./message-actions.js");
  return once(services, `action:${p.idempotencyKey}`, () =>
    runMessageAction(services, action, { channel: p.channel, accountId: p.accountId, params: p.params }),
  );
}

export const messageActionMethod = defineMethod({
  name: "message.action",
  scope: "operator.write",
  params: MessageActionParams,
  handler: async (p, { services }) => {
    const run = ACTIONS[p.action.trim().toLowerCase()];
    if (!run) {
      throw new PincerError(
        "INVALID_REQUEST",
        `Channel ${p.channel} does not support action ${p.action} through this gateway (supported: ${Object.keys(ACTIONS).join(", ")})`,
      );
    }
    return run(services, p);
  },
});

export const messageMethods: MethodDef[] = [sendMethod, messageActionMethod] as MethodDef[];
