import type { CommonAccountConfig } from "../../channels/config-schema.js";
import type { ChatType, OutboundTarget } from "../../channels/envelope.js";
import type { ChannelManager } from "../../channels/manager.js";
import type { ChannelPlugin } from "../../channels/plugin.js";
import type { PincerConfig } from "../../config/schema.js";
import { PincerError } from "../../errors.js";

/**
 * Sending on a channel account for the `send` and `message.action` methods, through the channel manager's public
 * API only: which account, whether it is connected, how an OpenClaw-style target ("123", "channel:C1",
 * "user:U1", "#room") maps to Pincer's OutboundTarget, and the text rendered and chunked for the platform.
 */

/** WebChat is the gateway's own surface: its visitors are reached through chat, not an outbound send. */
const INTERNAL_CHANNELS = new Set(["webchat"]);

export interface OutboundAccount {
  manager: ChannelManager;
  plugin: ChannelPlugin;
  channel: string;
  accountId: string;
  /** The account's section, parsed by the plugin (chunk limits, response prefix …). */
  accountConfig: CommonAccountConfig;
}

/**
 * The connected account that sends for `channel` (`accountId`, else the channel's default account). Errors say
 * what to fix: an unknown or internal channel and an unknown account are INVALID_REQUEST; an account that is
 * configured but not connected right now is UNAVAILABLE (retryable), with its last error.
 */
export async function resolveOutboundAccount(
  manager: ChannelManager | undefined,
  config: PincerConfig,
  channel: string,
  accountId: string | undefined,
): Promise<OutboundAccount> {
  const id = channel.trim().toLowerCase();
  if (INTERNAL_CHANNELS.has(id)) {
    throw new PincerError("INVALID_REQUEST", `channel "${id}" is internal to the gateway: reach it with chat.send`);
  }
  const status = manager?.status();
  const accounts = status?.channelAccounts[id] ?? [];
  if (!manager || !status || accounts.length === 0) {
    const known = Object.keys(status?.channelAccounts ?? {}).filter((c) => !INTERNAL_CHANNELS.has(c));
    throw new PincerError(
      "INVALID_REQUEST",
      `channel "${id}" is not configured on this gateway (configured: ${known.join(", ") || "none"}): add channels.${id} to pincer.json`,
      { details: { code: "CHANNEL_NOT_CONFIGURED", channel: id } },
    );
  }
  const wanted = accountId ?? status.channelDefaultAccountId[id] ?? accounts[0]?.accountId;
  const account = accounts.find((a) => a.accountId === wanted);
  if (!account) {
    throw new PincerError(
      "INVALID_REQUEST",
      `channel "${id}" has no account "${wanted}" (accounts: ${accounts.map((a) => a.accountId).join(", ")})`,
      { details: { code: "CHANNEL_ACCOUNT_NOT_FOUND", channel: id, accountId: wanted } },
    );
  }
  if (!account.connected) {
    const why = account.lastError ? `: ${account.lastError}` : account.enabled ? "" : " (the account is disabled)";
    throw new PincerError("UNAVAILABLE", `${id} account "${account.accountId}" is not connected${why}`, {
      retryable: account.enabled && account.configured,
      details: { code: "CHANNEL_NOT_CONNECTED", channel: id, accountId: account.accountId },
    });
  }
  const entry = manager.registry.get(id);
  if (!entry) throw new PincerError("INVALID_REQUEST", `channel "${id}" has no plugin on this gateway`);
  const plugin = (await entry.load()) as ChannelPlugin;
  const resolved = plugin.config.resolveAccount(config.channels?.[id], account.accountId);
  return { manager, plugin, channel: id, accountId: account.accountId, accountConfig: resolved.config };
}

const PREFIXED_KINDS: Record<string, ChatType> = {
  user: "direct",
  dm: "direct",
  direct: "direct",
  group: "group",
  channel: "channel",
};

/**
 * An OpenClaw target as a Pincer OutboundTarget. `user:` / `dm:` / `group:` / `channel:` prefixes say the kind;
 * a bare "#name" or a negative numeric id (a Telegram group) is a group; anything else is a direct peer. A kind
 * the channel does not have falls back to its nearest one (a "channel" on Telegram is a group chat).
 */
export function parseOutboundTarget(
  plugin: Pick<ChannelPlugin, "capabilities" | "id">,
  raw: string,
  extra: { threadId?: string | undefined; replyToId?: string | undefined } = {},
): OutboundTarget {
  let text = raw.trim();
  // "telegram:123" names the channel again; the method already knows it.
  if (text.toLowerCase().startsWith(`${plugin.id}:`)) text = text.slice(plugin.id.length + 1);
  let kind: ChatType = "direct";
  const colon = text.indexOf(":");
  const prefix = colon > 0 ? PREFIXED_KINDS[text.slice(0, colon).toLowerCase()] : undefined;
  if (prefix) {
    kind = prefix;
    text = text.slice(colon + 1).trim();
  } else if (text.startsWith("#") || /^-\d+$/.test(text)) {
    kind = "group";
  }
  if (!text) throw new PincerError("INVALID_REQUEST", `target "${raw}" names no peer: give an id after the prefix`);
  const kinds = plugin.capabilities.chatTypes;
  if (!kinds.includes(kind)) {
    const nearest = kind === "channel" ? "group" : kind === "group" ? "channel" : undefined;
    if (!nearest || !kinds.includes(nearest)) {
      throw new PincerError("INVALID_REQUEST", `${plugin.id} cannot send to a ${kind} (it has: ${kinds.join(", ")})`);
    }
    kind = nearest;
  }
  return {
    chatType: kind,
    peerId: text,
    ...(extra.threadId ? { threadId: extra.threadId } : {}),
    ...(extra.replyToId ? { replyToId: extra.replyToId } : {}),
  };
}

export interface OutboundPayload {
  /** Markdown; rendered and chunked for the platform. */
  text?: string | undefined;
  /** https URLs of attachments: the first carries the text as its caption when it fits. */
  mediaUrls: string[];
}

export interface OutboundResult {
  channel: string;
  accountId: string;
  to: string;
  /** The platform's id of the last message sent (what message.action edit/react/delete take). */
  messageId?: string;
  chunks: number;
  media: number;
}

/**
 * Sends text and attachments on the account. Attachments must be https URLs: a gateway client naming a local
 * path would let any write-scoped operator mail out the gateway's files.
 */
export async function sendOutbound(
  account: OutboundAccount,
  target: OutboundTarget,
  payload: OutboundPayload,
): Promise<OutboundResult> {
  const { manager, plugin, channel, accountId } = account;
  for (const url of payload.mediaUrls) {
    if (!url.startsWith("https://")) {
      throw new PincerError("INVALID_REQUEST", `attachment "${url}" is not an https URL: the gateway sends only those`);
    }
  }
  if (payload.mediaUrls.length > 0 && !plugin.capabilities.media) {
    throw new PincerError("INVALID_REQUEST", `${plugin.meta.label} cannot send attachments`);
  }
  const text = payload.text?.trim() ? payload.text : undefined;
  if (!text && payload.mediaUrls.length === 0) {
    throw new PincerError("INVALID_REQUEST", "nothing to send: give a message or an attachment URL");
  }
  const { formatFor } = await import("../../channels/inbound.js");
  const { mediaFromRef } = await import("../../channels/outbound-media.js");
  let messageId: string | undefined;
  let captioned = false;
  for (const [i, url] of payload.mediaUrls.entries()) {
    // sendMedia renders the caption itself and sends an over-long one as text after the file.
    const caption = i === 0 ? text : undefined;
    const sent = await manager.sendMedia(channel, accountId, target, mediaFromRef(url, caption));
    if (!sent.ok) throw new PincerError(sent.error.code, `attachment ${url} not sent: ${sent.error.message}`);
    messageId = sent.messageId;
    captioned ||= caption !== undefined;
  }
  const chunks = text && !captioned ? formatFor(plugin, account.accountConfig, text) : [];
  for (const chunk of chunks) {
    const sent = await manager.withTransport(channel, accountId, (t) => t.sendText(target, chunk));
    messageId = sent.messageId;
  }
  return {
    channel,
    accountId,
    to: target.peerId,
    ...(messageId ? { messageId } : {}),
    chunks: chunks.length,
    media: payload.mediaUrls.length,
  };
}
