import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename } from "node:path";
import type { App, Logger as BoltLogger, HTTPReceiver } from "@slack/bolt";
import { PincerError } from "../../errors.js";
import type { Logger } from "../../logging/logger.js";
import type { SlackAccountConfig } from "../config-schema.js";
import type { OutboundTarget } from "../envelope.js";
import type { AccountConnection, AccountStartContext, AccountTransport, OutboundMedia } from "../plugin.js";
import { slackError } from "./errors.js";
import { normalizeSlackEvent } from "./normalize.js";

const DEFAULT_WEBHOOK_PATH = "/slack/events";
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

/** Hands a request on the gateway's port to Bolt's receiver; what it does not serve (a GET) gets 405 or 404. */
function serveOnGateway(receiver: HTTPReceiver, req: IncomingMessage, res: ServerResponse, log: Logger): void {
  try {
    receiver.requestListener(req, res);
  } catch (err) {
    log.debug({ err: err instanceof Error ? err.message : String(err) }, "Slack receiver declined a request");
    if (!res.headersSent) res.writeHead(req.method === "POST" ? 404 : 405, { allow: "POST" }).end();
  }
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
  const webhookPath = cfg.webhookPath ?? DEFAULT_WEBHOOK_PATH;
  // Bolt's receiver checks the signing secret, the timestamp's age and the body size, and answers
  // url_verification; it listens on a port of its own only when webhookPort is set, else on the gateway's.
  const http =
    mode === "http"
      ? new bolt.HTTPReceiver({ signingSecret: cfg.signingSecret!, endpoints: webhookPath, logger })
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
  let unmount: (() => void) | undefined;
  try {
    if (socket) await app.start();
    else if (cfg.webhookPort !== undefined)
      await app.start({ port: cfg.webhookPort, host: cfg.webhookHost ?? "127.0.0.1" });
    else unmount = ctx.http.register(webhookPath, (req, res) => serveOnGateway(http!, req, res, ctx.log));
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
  const threadOf = (target: OutboundTarget) =>
    // Slack threads by the parent's ts: stay in the thread, or start one on the message when quoting.
    target.threadId || target.replyToId ? { thread_ts: target.threadId ?? target.replyToId!.split(":").at(-1)! } : {};
  const transport: AccountTransport = {
    async sendText(target, text) {
      try {
        const res = await app.client.chat.postMessage({
          channel: await channelOf(target),
          text,
          mrkdwn: true,
          ...threadOf(target),
        });
        return { messageId: `${res.channel}:${res.ts}` };
      } catch (err) {
        throw slackError(err, "chat.postMessage");
      }
    },
    async sendMedia(target, media: OutboundMedia) {
      if (media.source.startsWith("https://")) {
        // A link, not an upload: Slack unfurls it, and the gateway never fetches what a reply points at.
        return transport.sendText(target, [media.caption, `<${media.source}>`].filter(Boolean).join("\n"));
      }
      try {
        const channel = await channelOf(target);
        // files.getUploadURLExternal → POST the bytes to the returned URL → files.completeUploadExternal.
        const res = await app.client.filesUploadV2({
          channel_id: channel,
          file: await readFile(media.source),
          filename: media.fileName ?? basename(media.source),
          ...(media.caption ? { initial_comment: media.caption } : {}),
          ...threadOf(target),
        });
        const files = (res.files as { files?: { id?: string }[] }[] | undefined)?.[0]?.files;
        return { messageId: `${channel}:${files?.[0]?.id ?? "file"}` };
      } catch (err) {
        throw slackError(err, "files upload");
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
      unmount?.();
      await app.stop().catch(() => {});
      finish();
    },
  };
}
