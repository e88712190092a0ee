import { PincerError } from "../../errors.js";
import type { GatewayServices } from "../services.js";
import type { AgentFinal } from "./agent-final.js";
import type { OutboundAccount } from "./channel-outbound.js";

/**
 * `agent` with `deliver: true` (OpenClaw's `openclaw agent --deliver --reply-channel telegram --reply-to 123`):
 * once the run ends, its reply is also sent on a channel account. The target is checked before the run
 * starts, so a typo fails at once instead of after a model call.
 */

/** OpenClaw's agent params that say where a delivered reply goes. */
export interface AgentDeliveryParams {
  deliver?: boolean | undefined;
  channel?: string | undefined;
  to?: string | undefined;
  replyChannel?: string | undefined;
  replyTo?: string | undefined;
  replyAccountId?: string | undefined;
  bestEffortDeliver?: boolean | undefined;
}

export interface AgentDelivery {
  account: OutboundAccount;
  to: string;
  bestEffort: boolean;
}

/** OpenClaw's `result.deliveryStatus`, plus where it went. */
export type AgentDeliveryStatus =
  | { status: "sent"; resultCount: number; channel: string; to: string; messageId?: string }
  | { status: "failed"; channel: string; to: string; error: string }
  | "not_applicable";

/** Where to deliver, or undefined when `deliver` is not asked for; INVALID_REQUEST / UNAVAILABLE say why not. */
export async function resolveAgentDelivery(
  services: GatewayServices,
  p: AgentDeliveryParams,
): Promise<AgentDelivery | undefined> {
  if (!p.deliver) return undefined;
  const channel = p.replyChannel ?? p.channel;
  const to = p.replyTo ?? p.to;
  if (!channel || channel === "last" || !to) {
    throw new PincerError(
      "INVALID_REQUEST",
      "deliver needs a channel and a recipient: pass replyChannel (or channel) and replyTo (or to)",
    );
  }
  const { parseOutboundTarget, resolveOutboundAccount } = await import("./channel-outbound.js");
  const account = await resolveOutboundAccount(
    services.channels,
    services.config.current.config,
    channel,
    p.replyAccountId,
  );
  parseOutboundTarget(account.plugin, to);
  return { account, to, bestEffort: p.bestEffortDeliver === true };
}

/**
 * Sends the final answer's reply text; the outcome goes in `result.deliveryStatus`. A failed delivery fails the
 * answer (status "error") unless it was best effort, as in OpenClaw.
 */
export async function deliverAgentReply(delivery: AgentDelivery, final: AgentFinal): Promise<AgentFinal> {
  const { account, to } = delivery;
  const text = final.result.payloads.map((p) => p.text).join("\n\n");
  if (final.status !== "ok" || !text.trim()) {
    return { ...final, result: { ...final.result, deliveryStatus: "not_applicable" } };
  }
  const { parseOutboundTarget, sendOutbound } = await import("./channel-outbound.js");
  try {
    const sent = await sendOutbound(account, parseOutboundTarget(account.plugin, to), { text, mediaUrls: [] });
    const status: AgentDeliveryStatus = {
      status: "sent",
      resultCount: sent.chunks,
      channel: sent.channel,
      to: sent.to,
      ...(sent.messageId ? { messageId: sent.messageId } : {}),
    };
    return { ...final, result: { ...final.result, deliveryStatus: status } };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const status: AgentDeliveryStatus = { status: "failed", channel: account.channel, to, error: message };
    const failed = { ...final, result: { ...final.result, deliveryStatus: status } };
    return delivery.bestEffort ? failed : { ...failed, status: "error", summary: `reply not delivered: ${message}` };
  }
}
