import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { ErrorShape } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { CommonAccountConfig } from "./config-schema.js";
import type { ChatType, InboundMessage, InboundSender, OutboundTarget } from "./envelope.js";

/**
 * The channel contract. Built-in channels (Telegram, Discord, Slack, IRC) and third-party plugins implement the
 * same interface; the manager, access control and outbound delivery only ever talk to it. Required: id, meta,
 * capabilities, config. Everything else is an optional adapter a channel adds when its platform has the feature.
 */
export interface ChannelPlugin<C extends CommonAccountConfig = CommonAccountConfig> {
  id: string;
  meta: ChannelMeta;
  capabilities: ChannelCapabilities;
  config: ChannelConfigAdapter<C>;
  /** Connects an account and keeps it connected; without it the channel is send-only or status-only. */
  gateway?: ChannelGatewayAdapter<C>;
  outbound?: ChannelOutboundAdapter;
  status?: ChannelStatusAdapter<C>;
  pairing?: ChannelPairingAdapter;
  security?: ChannelSecurityAdapter;
  groups?: ChannelGroupsAdapter<C>;
  threading?: ChannelThreadingAdapter;
}

export interface ChannelMeta {
  label: string;
  /** Longer label for UIs ("Telegram Bot"). */
  detailLabel: string;
  /** Sort order in status listings. */
  order: number;
}

export interface ChannelCapabilities {
  chatTypes: readonly ChatType[];
  threads: boolean;
  media: boolean;
  typing: boolean;
  reactions: boolean;
  edit: boolean;
  delete: boolean;
}

/** One account after its section's defaults are merged in. */
export interface ResolvedAccount<C extends CommonAccountConfig = CommonAccountConfig> {
  accountId: string;
  enabled: boolean;
  /** Has what it needs to connect (a token, a host). */
  configured: boolean;
  /** When not configured: what is missing, naming the config key. */
  missing?: string;
  config: C;
}

export interface ChannelConfigAdapter<C extends CommonAccountConfig> {
  /** Parses the channel's section of `channels` (untrusted until parsed). */
  schema: z.ZodType;
  listAccountIds(section: unknown): string[];
  resolveAccount(section: unknown, accountId: string): ResolvedAccount<C>;
}

/** What a running account reports; the manager merges it into the account's status. */
export interface AccountTransportStatus {
  connected: boolean;
  lastError?: string | null;
  /** Platform-side identity once connected: bot username, nick. */
  botId?: string;
  botName?: string;
  mode?: string;
}

export interface AccountStartContext<C extends CommonAccountConfig = CommonAccountConfig> {
  channel: string;
  account: ResolvedAccount<C>;
  /** Fires when the account must stop (stop, restart, gateway shutdown). */
  signal: AbortSignal;
  log: Logger;
  /** Hands an inbound message to the manager; returns at once (admission and the agent run happen after). */
  receive(msg: InboundMessage): void;
  setStatus(patch: Partial<AccountTransportStatus>): void;
  /** Routes on the gateway's own HTTP port (webhooks); what an account registers is removed when it stops. */
  http: ChannelHttpMount;
}

/** Answers one request on a path a channel account mounted; it must always end the response. */
export type ChannelHttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ChannelHttpMount {
  /**
   * Serves `path` (exact match, any method) on the gateway port; returns the disposer. Throws a PincerError
   * CONFIG_INVALID when another account already serves the path.
   */
  register(path: string, handler: ChannelHttpHandler): () => void;
}

/** A connected account: how to reach the platform until it closes. */
export interface AccountConnection {
  /**
   * Settles when the account is done: resolves after a requested stop, rejects when the connection failed in a
   * way the SDK does not recover from by itself; the manager then restarts the account with backoff.
   */
  closed: Promise<void>;
  transport: AccountTransport;
  stop(): Promise<void>;
}

export interface OutboundMedia {
  kind: "image" | "audio" | "video" | "document";
  /** An https URL or an absolute local file path (checked before a transport sees it: outbound-media.ts). */
  source: string;
  /** Rendered for the platform like sendText's text, and at most MAX_CAPTION_CHARS (account-send.ts). */
  caption?: string;
  fileName?: string;
  /** A local file's size, known once checked. */
  sizeBytes?: number;
}

/** What sending one attachment came to: errors are values, so a bad file never stops the text around it. */
export type MediaSendResult = { ok: true; messageId: string } | { ok: false; error: ErrorShape };

/** Sends on a connected account. Text arrives already rendered for the platform and within its limit. */
export interface AccountTransport {
  sendText(target: OutboundTarget, text: string): Promise<{ messageId: string }>;
  /** Sends one attachment, already checked (an https URL, or a local file that exists within the size limit). */
  sendMedia?(target: OutboundTarget, media: OutboundMedia): Promise<{ messageId: string }>;
  /** Shows "typing…" once; the caller repeats it while the agent works. */
  sendTyping?(target: OutboundTarget): Promise<void>;
  react?(target: OutboundTarget, messageId: string, emoji: string): Promise<void>;
  edit?(target: OutboundTarget, messageId: string, text: string): Promise<void>;
  delete?(target: OutboundTarget, messageId: string): Promise<void>;
}

export interface ChannelGatewayAdapter<C extends CommonAccountConfig> {
  /** Connects; resolves once connected (or throws why it cannot: a bad token is a PincerError UNAUTHORIZED). */
  startAccount(ctx: AccountStartContext<C>): Promise<AccountConnection>;
}

export type MarkdownTarget = "telegram-html" | "slack-mrkdwn" | "discord" | "plain";

export interface ChannelOutboundAdapter {
  /** Default chunk size in characters, applied to the markdown before rendering. */
  textChunkLimit: number;
  /** What the platform rejects above, after rendering. */
  hardLimit: number;
  markdown: MarkdownTarget;
  /** How often "typing…" must be re-sent to stay visible. */
  typingIntervalMs?: number;
  /** Largest file the platform takes from a bot, in MB, unless the account's `mediaMaxMb` says otherwise. */
  mediaMaxMb?: number;
}

export interface ChannelStatusAdapter<C extends CommonAccountConfig> {
  /** Extra, non-secret fields for channels.status (mode, tokenSource, baseUrl …). */
  describeAccount(account: ResolvedAccount<C>): Record<string, unknown>;
}

export interface ChannelPairingAdapter {
  /** How the platform calls a sender id, for the pairing reply ("Telegram user id"). */
  idLabel: string;
  /** An allowFrom entry as stored ("tg:123" → "123"). */
  normalizeAllowEntry(entry: string): string;
}

export interface ChannelSecurityAdapter {
  /** Whether an allowFrom entry (already normalized) names this sender; the default compares ids. */
  senderMatches(entry: string, sender: InboundSender): boolean;
}

/** The group a message came from, after the channel's own config (guilds, channels, groups) is applied. */
export interface GroupAccess {
  /** Listed (or "*"), and not disabled. */
  listed: boolean;
  enabled: boolean;
  requireMention: boolean;
  /** Senders allowed in this group; undefined means anyone the group policy admits. */
  allowFrom?: string[];
}

export interface ChannelGroupsAdapter<C extends CommonAccountConfig> {
  resolveGroup(account: ResolvedAccount<C>, msg: InboundMessage): GroupAccess;
}

export interface ChannelThreadingAdapter {
  /** Whether replies quote / thread on the inbound message by default. */
  defaultReplyToMode: "off" | "first" | "all";
}
