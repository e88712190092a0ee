import { z } from "zod";

/**
 * `channels.*` in pincer.json. Key names are OpenClaw's where the concept exists (botToken, dmPolicy, allowFrom,
 * groupPolicy, groups, requireMention, textChunkLimit, accounts), so an OpenClaw config carries over. Each
 * channel's top-level fields are the defaults of its single implicit account ("default"); `accounts.<id>` adds
 * more accounts, each inheriting the top-level fields it does not set.
 */

export const DmPolicySchema = z.enum(["pairing", "allowlist", "open", "disabled"]);
export type DmPolicy = z.infer<typeof DmPolicySchema>;
export const GroupPolicySchema = z.enum(["open", "allowlist", "disabled"]);
export type GroupPolicy = z.infer<typeof GroupPolicySchema>;

/** Allowlist entries are ids (numbers are accepted because Telegram ids are numbers) or "*". */
const AllowEntry = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

/** One group (chat, channel, room) or "*" for every group: whether it is allowed and how it is gated. */
export const GroupEntrySchema = z.looseObject({
  enabled: z.boolean().optional(),
  requireMention: z.boolean().optional(),
  /** Senders allowed in this group; unset means the account's groupAllowFrom / allowFrom. */
  allowFrom: z.array(AllowEntry).optional(),
  users: z.array(AllowEntry).optional(),
});
export type GroupEntry = z.infer<typeof GroupEntrySchema>;

/** What every channel account understands: access control, chunking, reply threading. */
const CommonAccountFields = {
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  dmPolicy: DmPolicySchema.optional(),
  allowFrom: z.array(AllowEntry).optional(),
  groupPolicy: GroupPolicySchema.optional(),
  groupAllowFrom: z.array(AllowEntry).optional(),
  /** Groups need a mention unless this (or the group's own requireMention) says otherwise. */
  requireMention: z.boolean().optional(),
  groups: z.record(z.string(), GroupEntrySchema).optional(),
  /** Outbound chunk size in characters; capped at the platform's hard limit. */
  textChunkLimit: z.number().int().min(100).optional(),
  /** "length" fills each chunk; "newline" prefers paragraph breaks. */
  chunkMode: z.enum(["length", "newline"]).optional(),
  replyToMode: z.enum(["off", "first", "all"]).optional(),
  responsePrefix: z.string().optional(),
  /** Largest outbound attachment in MB (OpenClaw's key); defaults to what the platform takes from a bot. */
  mediaMaxMb: z.number().positive().max(2048).optional(),
};

const TelegramAccountFields = {
  ...CommonAccountFields,
  botToken: z.string().min(1).optional(),
  /** Bot API root; defaults to Telegram's. Exists so a self-hosted Bot API server works. */
  apiRoot: z.url().optional(),
  /**
   * Webhook mode when set: Telegram posts updates to this public URL, served at webhookPath on the gateway's
   * port, or on a listener of its own at webhookHost:webhookPort when webhookPort is set.
   */
  webhookUrl: z.url().optional(),
  webhookSecret: z.string().min(1).optional(),
  webhookPath: z.string().startsWith("/").optional(),
  webhookHost: z.string().optional(),
  webhookPort: z.number().int().min(0).max(65535).optional(),
  /** Long-poll wait in seconds. */
  pollTimeoutSeconds: z.number().int().min(0).max(50).optional(),
};

const DiscordAccountFields = {
  ...CommonAccountFields,
  token: z.string().min(1).optional(),
  /** REST API root (…/api); defaults to Discord's. For proxies and tests; the gateway URL comes from it. */
  apiRoot: z.url().optional(),
  /** guild id → settings; "*" for every guild. */
  guilds: z
    .record(
      z.string(),
      z.looseObject({
        requireMention: z.boolean().optional(),
        users: z.array(AllowEntry).optional(),
        roles: z.array(AllowEntry).optional(),
        channels: z.record(z.string(), GroupEntrySchema.extend({ allow: z.boolean().optional() })).optional(),
      }),
    )
    .optional(),
};

const SlackAccountFields = {
  ...CommonAccountFields,
  mode: z.enum(["socket", "http"]).optional(),
  botToken: z.string().min(1).optional(),
  appToken: z.string().min(1).optional(),
  signingSecret: z.string().min(1).optional(),
  /** Web API root (…/api/); defaults to Slack's. */
  apiUrl: z.url().optional(),
  /** HTTP mode: the Events API path on the gateway's port (default /slack/events; distinct per account). */
  webhookPath: z.string().startsWith("/").optional(),
  /** HTTP mode on a listener of its own instead of the gateway's port (only when set). */
  webhookHost: z.string().optional(),
  webhookPort: z.number().int().min(0).max(65535).optional(),
  channels: z.record(z.string(), GroupEntrySchema.extend({ allow: z.boolean().optional() })).optional(),
};

const IrcAccountFields = {
  ...CommonAccountFields,
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  tls: z.boolean().optional(),
  nick: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  realname: z.string().optional(),
  /** Server password (PASS). */
  password: z.string().optional(),
  /** SASL PLAIN credentials. */
  sasl: z.strictObject({ account: z.string().min(1), password: z.string().min(1) }).optional(),
  channels: z.array(z.string().regex(/^[#&!+]/, "IRC channel names start with #, &, ! or +")).optional(),
};

function channelSchema<T extends z.core.$ZodLooseShape>(fields: T) {
  const account = z.looseObject(fields);
  return account.extend({
    accounts: z.record(z.string().min(1), account).optional(),
    defaultAccount: z.string().optional(),
  });
}

export const TelegramConfigSchema = channelSchema(TelegramAccountFields);
export const DiscordConfigSchema = channelSchema(DiscordAccountFields);
export const SlackConfigSchema = channelSchema(SlackAccountFields);
export const IrcConfigSchema = channelSchema(IrcAccountFields);
/**
 * `channels.webchat`: visitors of the embeddable widget (/chat, /webchat.js). Unlike the other channels its DM
 * policy defaults to "disabled", so a gateway exposes nothing to the public web until its owner opts in.
 */
export const WebChatConfigSchema = z.looseObject({
  enabled: z.boolean().optional(),
  dmPolicy: DmPolicySchema.optional(),
  /** Visitor ids admitted under "allowlist" (and without pairing under "pairing"); "*" admits everyone. */
  allowFrom: z.array(AllowEntry).optional(),
  /** The agent visitors talk to; unset means the binding for channel "webchat", else the default agent. */
  agentId: z.string().min(1).optional(),
  /** Shown to a visitor before their first message. */
  greeting: z.string().max(2000).optional(),
  /** Messages per minute per visitor. */
  rateLimit: z.number().int().min(1).max(600).optional(),
  /** Longest visitor message in characters. */
  maxMessageChars: z.number().int().min(1).max(100_000).optional(),
});
export type WebChatConfig = z.infer<typeof WebChatConfigSchema>;

export type TelegramAccountConfig = z.infer<z.ZodObject<typeof TelegramAccountFields>>;
export type DiscordAccountConfig = z.infer<z.ZodObject<typeof DiscordAccountFields>>;
export type SlackAccountConfig = z.infer<z.ZodObject<typeof SlackAccountFields>>;
export type IrcAccountConfig = z.infer<z.ZodObject<typeof IrcAccountFields>>;
/** The fields every account has, whatever its channel. */
export type CommonAccountConfig = z.infer<z.ZodObject<typeof CommonAccountFields>>;

/** Third-party channels validate their own section; here it only has to be an object. */
export const ChannelsConfigSchema = z.looseObject({
  telegram: TelegramConfigSchema.optional(),
  discord: DiscordConfigSchema.optional(),
  slack: SlackConfigSchema.optional(),
  irc: IrcConfigSchema.optional(),
  webchat: WebChatConfigSchema.optional(),
});
export type ChannelsConfig = z.infer<typeof ChannelsConfigSchema>;
