import type { App, Logger as BoltLogger } from "@slack/bolt";
import { PincerError } from "../../errors.js";
import type { Logger } from "../../logging/logger.js";
import type { SlackAccountConfig } from "../config-schema.js";
import type { OutboundTarget } from "../envelope.js";
import type { AccountConnection, AccountStartContext, AccountTransport } from "../plugin.js";
import { slackError } from "./errors.js";
import { normalizeSlackEvent } from "./normalize.js";

const DEFAULT_WEBHOOK_PATH = "/slack/events";
const DEFAULT_WEBHOOK_PORT = 3000;
/** Web API retries for 5xx and network errors (429s are waited out by the client regardless). */
const WEB_RETRY = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 };

/** Bolt's logger interface over the gateway's pino logger. */
function boltLogger(log: Logger): BoltLogger {
  let level = "info";
  return {
    debug: (...m: unknown[]) => log.debug(m.map(String).join(" ")),
    info: (...m: unknown[]) => log.debug(m.map(String).join(" ")),
    warn: (...m: unknown[]) => log.warn(m.map(String).join(" ")),
    error: (...m: unknown[]) => log.error(m.map(String).join(" ")),
    setLevel: (l: string) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  } as BoltLogger;
}

export async function startSlackAccount(ctx: AccountStartContext<SlackAccountConfig>): Promise<AccountConnection> {
  const cfg = ctx.account.config;
  const bolt = await import("@slack/bolt");
  const mode = cfg.mode ?? (cfg.appToken ? "socket" : "http");
  const logger = boltLogger(ctx.log);
  const clientOptions = { ...(cfg.apiUrl ? { slackApiUrl: cfg.apiUrl } : {}), retryConfig: WEB_RETRY };
  const socket =
    mode === "socket"
      ? new bolt.SocketModeReceiver({ appToken: cfg.appToken!, logger, installerOptions: { clientOptions } })
      : undefined;
  const http =
    mode === "http"
      ? new bolt.HTTPReceiver({
          signingSecret: cfg.signingSecret!,
          endpoints: cfg.webhookPath ?? DEFAULT_WEBHOOK_PATH,
          logger,
        })
      : undefined;
  const app: App = new bolt.App({
    token: cfg.botToken!,
    receiver: (socket ?? http)!,
    clientOptions,
    logger,
    // init() below runs auth.test, so a bad token is an error we can report instead of an unhandled rejection.
    deferInitialization: true,
  });
  let identity: { userId: string; teamId?: string | undefined; botName?: string | undefined };
  try {
    await app.init();
    const auth = await app.client.auth.test();
    identity = { userId: String(auth.user_id), teamId: auth.team_id, botName: auth.user };
  } catch (err) {
    throw slackError(err, "auth.test");
  }
  ctx.setStatus({ botId: identity.userId, ...(identity.botName ? { botName: `@${identity.botName}` } : {}), mode });

  const dmChannels = new Map<string, string>();
  const onEvent = async ({ event }: { event: unknown }) => {
    const msg = normalizeSlackEvent(event, {
      accountId: ctx.account.accountId,
      botUserId: identity.userId,
      teamId: identity.teamId,
    });
    if (!msg) return;
    if (msg.chatType === "direct") dmChannels.set(msg.sender.id, (event as { channel: string }).channel);
    ctx.receive(msg);
  };
  app.event("message", onEvent);
  app.event("app_mention", onEvent);
  app.error(async (err) => {
    ctx.log.warn({ err: err.message }, "Slack event handling failed");
  });

  let fail: (err: PincerError) => void = () => {};
  let finish: () => void = () => {};
  const closed = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  closed.catch(() => {});
  let stopping = false;
  if (socket) {
    socket.client.on("connected", () => ctx.setStatus({ connected: true, lastError: null }));
    // The client emits "close" when the socket drops and "reconnecting" only after its retry delay.
    socket.client.on("close", () => {
      if (!stopping)
        ctx.setStatus({ connected: false, lastError: "Slack Socket Mode connection closed; reconnecting" });
    });
    socket.client.on("reconnecting", () =>
      ctx.setStatus({ connected: false, lastError: "Slack Socket Mode reconnecting" }),
    );
    socket.client.on("disconnected", () => {
      if (!stopping) fail(new PincerError("UNAVAILABLE", "Slack Socket Mode disconnected", { retryable: true }));
    });
  }
  try {
    if (socket) await app.start();
    else await app.start({ port: cfg.webhookPort ?? DEFAULT_WEBHOOK_PORT, host: cfg.webhookHost ?? "127.0.0.1" });
  } catch (err) {
    throw slackError(err, mode === "socket" ? "apps.connections.open" : "listen");
  }

  const channelOf = async (target: OutboundTarget): Promise<string> => {
    if (target.chatType !== "direct") return target.peerId;
    const known = dmChannels.get(target.peerId);
    if (known) return known;
    const opened = await app.client.conversations.open({ users: target.peerId });
    const id = opened.channel?.id;
    if (!id) throw new PincerError("UNAVAILABLE", `Slack did not open a DM with ${target.peerId}`, { retryable: true });
    dmChannels.set(target.peerId, id);
    return id;
  };
  const transport: AccountTransport = {
    async sendText(target, text) {
      try {
        const res = await app.client.chat.postMessage({
          channel: await channelOf(target),
          text,
          mrkdwn: true,
          // Slack threads by the parent's ts: stay in the thread, or start one on the message when quoting.
          ...(target.threadId || target.replyToId
            ? { thread_ts: target.threadId ?? target.replyToId!.split(":").at(-1)! }
            : {}),
        });
        return { messageId: `${res.channel}:${res.ts}` };
      } catch (err) {
        throw slackError(err, "chat.postMessage");
      }
    },
    async react(target, messageId, emoji) {
      try {
        await app.client.reactions.add({
          channel: await channelOf(target),
          timestamp: messageId.split(":").at(-1)!,
          name: emoji.replace(/:/g, ""),
        });
      } catch (err) {
        throw slackError(err, "reactions.add");
      }
    },
    async edit(target, messageId, text) {
      try {
        await app.client.chat.update({ channel: await channelOf(target), ts: messageId.split(":").at(-1)!, text });
      } catch (err) {
        throw slackError(err, "chat.update");
      }
    },
    async delete(target, messageId) {
      try {
        await app.client.chat.delete({ channel: await channelOf(target), ts: messageId.split(":").at(-1)! });
      } catch (err) {
        throw slackError(err, "chat.delete");
      }
    },
  };
  return {
    closed,
    transport,
    async stop() {
      stopping = true;
      await app.stop().catch(() => {});
      finish();
    },
  };
}
