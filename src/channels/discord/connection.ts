import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Client, Message } from "discord.js";
import { PincerError } from "../../errors.js";
import type { DiscordAccountConfig } from "../config-schema.js";
import type { InboundMessage, MediaRef, OutboundTarget } from "../envelope.js";
import type { AccountConnection, AccountStartContext, AccountTransport, OutboundMedia } from "../plugin.js";
import { discordError } from "./errors.js";

/** Login, gateway handshake and the first guilds must arrive within this. */
const READY_TIMEOUT_MS = 30_000;
/** Gateway close codes after which discord.js does not reconnect: the account needs fixing. */
const FATAL_CLOSE_CODES = new Set([4004, 4010, 4011, 4012, 4013, 4014]);

function mediaKind(contentType: string | null | undefined): MediaRef["kind"] {
  if (contentType?.startsWith("image/")) return "image";
  if (contentType?.startsWith("audio/")) return "audio";
  if (contentType?.startsWith("video/")) return "video";
  return "document";
}

/** The envelope for a message discord.js parsed, or null for bots (itself included) and system messages. */
export function normalizeDiscordMessage(m: Message, accountId: string, botId: string): InboundMessage | null {
  if (m.author.bot || m.system) return null;
  const direct = m.guildId === null;
  const channel = m.channel;
  const thread = !direct && "isThread" in channel && channel.isThread() ? channel : undefined;
  const mentioned = direct || m.mentions.users.has(botId) || m.mentions.repliedUser?.id === botId;
  const text = m.content.replace(new RegExp(`<@!?${botId}>`, "g"), "").trim();
  const msg: InboundMessage = {
    channel: "discord",
    accountId,
    chatType: direct ? "direct" : "channel",
    // A DM is keyed by the person (their DM channel is looked up when replying), a guild message by its channel.
    peerId: direct ? m.author.id : m.channelId,
    sender: {
      id: m.author.id,
      username: m.author.username,
      ...(m.member?.displayName || m.author.globalName ? { name: m.member?.displayName ?? m.author.globalName! } : {}),
    },
    text,
    media: [...m.attachments.values()].map((a) => ({
      kind: mediaKind(a.contentType),
      ref: a.url,
      fileName: a.name,
      sizeBytes: a.size,
      ...(a.contentType ? { mimeType: a.contentType } : {}),
    })),
    mentioned,
    mentions: [...m.mentions.users.keys()],
    messageId: m.id,
    timestamp: m.createdTimestamp,
    conversationLabel: direct ? m.author.username : `#${"name" in channel ? channel.name : m.channelId}`,
  };
  if (m.guildId) {
    msg.guildId = m.guildId;
    msg.memberRoleIds = m.member ? [...m.member.roles.cache.keys()].filter((id) => id !== m.guildId) : [];
  }
  if (thread?.parentId) {
    msg.parentPeerId = thread.parentId;
    msg.threadId = thread.id;
  }
  if (m.reference?.messageId) msg.replyToId = m.reference.messageId;
  return msg;
}

export async function startDiscordAccount(ctx: AccountStartContext<DiscordAccountConfig>): Promise<AccountConnection> {
  const cfg = ctx.account.config;
  const { Client, Events, GatewayIntentBits, Partials, Routes } = await import("discord.js");
  const client: Client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.MessageContent,
    ],
    // DM channels are not in the cache until a DM arrives; Partials.Channel lets that first DM through.
    partials: [Partials.Channel],
    rest: cfg.apiRoot ? { api: cfg.apiRoot.replace(/\/+$/, "") } : {},
  });

  let fail: (err: PincerError) => void = () => {};
  let finish: () => void = () => {};
  const closed = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  closed.catch(() => {});

  client.on(Events.MessageCreate, (m) => {
    const msg = normalizeDiscordMessage(m, ctx.account.accountId, client.user!.id);
    if (msg) ctx.receive(msg);
  });
  client.on(Events.ShardDisconnect, (event) => {
    if (FATAL_CLOSE_CODES.has(event.code)) {
      fail(discordError({ code: event.code, message: `gateway closed with ${event.code}` }, "gateway"));
      return;
    }
    ctx.setStatus({ connected: false, lastError: `Discord gateway closed (${event.code})` });
  });
  client.on(Events.ShardReconnecting, () => ctx.setStatus({ connected: false }));
  client.on(Events.ShardResume, () => ctx.setStatus({ connected: true, lastError: null }));
  client.on(Events.ShardReady, () => ctx.setStatus({ connected: true, lastError: null }));
  client.on(Events.Error, (err) => ctx.log.warn({ err: err.message }, "Discord client error"));
  client.on(Events.Invalidated, () =>
    fail(new PincerError("UNAVAILABLE", "Discord invalidated the session", { retryable: true })),
  );

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new PincerError("UNAVAILABLE", "Discord did not become ready in time", { retryable: true })),
      READY_TIMEOUT_MS,
    );
    client.once(Events.ClientReady, () => {
      clearTimeout(timer);
      resolve();
    });
    ctx.signal.addEventListener("abort", () => reject(new PincerError("ABORTED", "stopped")), { once: true });
  });
  try {
    await client.login(cfg.token!);
    await ready;
  } catch (err) {
    await client.destroy().catch(() => {});
    throw discordError(err, "login");
  }
  ctx.setStatus({ botId: client.user!.id, botName: client.user!.tag, mode: "gateway" });

  const dmChannels = new Map<string, string>();
  const channelOf = async (target: OutboundTarget): Promise<string> => {
    if (target.chatType !== "direct") return target.peerId;
    const known = dmChannels.get(target.peerId);
    if (known) return known;
    const dm = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: target.peerId } })) as {
      id: string;
    };
    dmChannels.set(target.peerId, dm.id);
    return dm.id;
  };
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw discordError(err, what);
    }
  };
  const transport: AccountTransport = {
    sendText: (target, text) =>
      call("send message", async () => {
        const channelId = await channelOf(target);
        const sent = (await client.rest.post(Routes.channelMessages(channelId), {
          body: {
            content: text,
            // Replies never ping anyone, whatever the model wrote.
            allowed_mentions: { parse: [], replied_user: false },
            ...(target.replyToId
              ? { message_reference: { message_id: target.replyToId, fail_if_not_exists: false } }
              : {}),
          },
        })) as { id: string };
        return { messageId: sent.id };
      }),
    sendMedia: (target, media: OutboundMedia) =>
      call("send attachment", async () => {
        const channelId = await channelOf(target);
        const remote = media.source.startsWith("https://");
        // A URL goes as a link Discord embeds (the gateway never fetches it); a local file is uploaded.
        const content = [media.caption, remote ? media.source : undefined].filter(Boolean).join("\n");
        const sent = (await client.rest.post(Routes.channelMessages(channelId), {
          body: {
            ...(content ? { content } : {}),
            allowed_mentions: { parse: [], replied_user: false },
            ...(target.replyToId
              ? { message_reference: { message_id: target.replyToId, fail_if_not_exists: false } }
              : {}),
          },
          ...(remote
            ? {}
            : { files: [{ name: media.fileName ?? basename(media.source), data: await readFile(media.source) }] }),
        })) as { id: string };
        return { messageId: sent.id };
      }),
    sendTyping: (target) =>
      call("typing", async () => {
        await client.rest.post(Routes.channelTyping(await channelOf(target)));
      }),
    react: (target, messageId, emoji) =>
      call("react", async () => {
        await client.rest.put(
          Routes.channelMessageOwnReaction(await channelOf(target), messageId, encodeURIComponent(emoji)),
        );
      }),
    edit: (target, messageId, text) =>
      call("edit", async () => {
        await client.rest.patch(Routes.channelMessage(await channelOf(target), messageId), { body: { content: text } });
      }),
    delete: (target, messageId) =>
      call("delete", async () => {
        await client.rest.delete(Routes.channelMessage(await channelOf(target), messageId));
      }),
  };

  // DMs arriving on a channel we already know spare the lookup when replying.
  client.on(Events.MessageCreate, (m) => {
    if (m.guildId === null && !m.author.bot) dmChannels.set(m.author.id, m.channelId);
  });

  return {
    closed,
    transport,
    async stop() {
      await client.destroy().catch(() => {});
      finish();
    },
  };
}
