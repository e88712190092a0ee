import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { TelegramAccountConfig } from "../config-schema.js";
import type { OutboundTarget } from "../envelope.js";
import type { AccountConnection, AccountStartContext, AccountTransport, OutboundMedia } from "../plugin.js";
import { isEntityParseError, telegramError } from "./errors.js";
import { type BotIdentity, normalizeTelegramUpdate } from "./normalize.js";

/** Long-poll wait per getUpdates call, in seconds (Telegram allows up to 50). */
const DEFAULT_POLL_TIMEOUT_S = 30;
/** Backoff between failed polls: quick first retries (a blip), capped so a long outage is not hammered. */
const POLL_RETRY_BASE_MS = 500;
const POLL_RETRY_MAX_MS = 30_000;
/** Largest webhook body accepted; a Telegram update is far smaller. */
const MAX_WEBHOOK_BODY_BYTES = 2 * 1024 * 1024;
const DEFAULT_WEBHOOK_PATH = "/telegram-webhook";
/** Telegram's caption limit, in characters; a longer caption goes out as a message of its own after the file. */
const CAPTION_LIMIT = 1024;

type Bot = import("grammy").Bot;
/** grammY types its AbortSignal with the abort-controller polyfill's declaration; the runtime takes Node's. */
type GrammySignal = Parameters<Bot["api"]["getMe"]>[0];

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** "chat:message" (the envelope's id) → the message number Telegram wants. */
function messageNumber(id: string): number {
  return Number(id.split(":").at(-1));
}

function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

function transportFor(bot: Bot): AccountTransport {
  const where = (t: OutboundTarget) => ({
    ...(t.threadId ? { message_thread_id: Number(t.threadId) } : {}),
    ...(t.replyToId
      ? { reply_parameters: { message_id: messageNumber(t.replyToId), allow_sending_without_reply: true } }
      : {}),
  });
  const transport: AccountTransport = {
    async sendText(target, text) {
      try {
        const sent = await bot.api.sendMessage(target.peerId, text, { parse_mode: "HTML", ...where(target) });
        return { messageId: `${target.peerId}:${sent.message_id}` };
      } catch (err) {
        const e = telegramError(err, "sendMessage");
        if (!isEntityParseError(e)) throw e;
        try {
          const sent = await bot.api.sendMessage(target.peerId, htmlToPlain(text), where(target));
          return { messageId: `${target.peerId}:${sent.message_id}` };
        } catch (plainErr) {
          throw telegramError(plainErr, "sendMessage");
        }
      }
    },
    async sendMedia(target, media: OutboundMedia) {
      const { InputFile } = await import("grammy");
      // Telegram fetches an https URL itself; a local file is streamed up as multipart.
      const file = () =>
        media.source.startsWith("https://") ? media.source : new InputFile(media.source, media.fileName);
      const caption = media.caption && media.caption.length <= CAPTION_LIMIT ? media.caption : undefined;
      const send = (other: Record<string, unknown>) => {
        const opts = { ...where(target), ...other };
        if (media.kind === "image") return bot.api.sendPhoto(target.peerId, file(), opts);
        if (media.kind === "audio") return bot.api.sendAudio(target.peerId, file(), opts);
        if (media.kind === "video") return bot.api.sendVideo(target.peerId, file(), opts);
        return bot.api.sendDocument(target.peerId, file(), opts);
      };
      let sent: Awaited<ReturnType<typeof send>>;
      try {
        sent = await send(caption ? { caption, parse_mode: "HTML" } : {});
      } catch (err) {
        const e = telegramError(err, "sendMedia");
        if (!caption || !isEntityParseError(e)) throw e;
        sent = await send({ caption: htmlToPlain(caption) }).catch((plainErr) => {
          throw telegramError(plainErr, "sendMedia");
        });
      }
      if (media.caption && !caption) await transport.sendText(target, media.caption);
      return { messageId: `${target.peerId}:${sent.message_id}` };
    },
    async sendTyping(target) {
      await bot.api
        .sendChatAction(target.peerId, "typing", target.threadId ? { message_thread_id: Number(target.threadId) } : {})
        .catch((err) => {
          throw telegramError(err, "sendChatAction");
        });
    },
    async react(target, messageId, emoji) {
      await bot.api
        // biome-ignore lint/suspicious/noExplicitAny: grammY types the emoji as a closed union of Telegram's set.
        .setMessageReaction(target.peerId, messageNumber(messageId), [{ type: "emoji", emoji: emoji as any }])
        .catch((err) => {
          throw telegramError(err, "setMessageReaction");
        });
    },
    async edit(target, messageId, text) {
      await bot.api
        .editMessageText(target.peerId, messageNumber(messageId), text, { parse_mode: "HTML" })
        .catch((err) => {
          throw telegramError(err, "editMessageText");
        });
    },
    async delete(target, messageId) {
      await bot.api.deleteMessage(target.peerId, messageNumber(messageId)).catch((err) => {
        throw telegramError(err, "deleteMessage");
      });
    },
  };
  return transport;
}

export async function startTelegramAccount(
  ctx: AccountStartContext<TelegramAccountConfig>,
): Promise<AccountConnection> {
  const cfg = ctx.account.config;
  const { Bot } = await import("grammy");
  const bot = new Bot(cfg.botToken!, { client: cfg.apiRoot ? { apiRoot: cfg.apiRoot.replace(/\/+$/, "") } : {} });
  let me: Awaited<ReturnType<Bot["api"]["getMe"]>>;
  try {
    me = await bot.api.getMe(ctx.signal as unknown as GrammySignal);
  } catch (err) {
    throw telegramError(err, "getMe");
  }
  const identity: BotIdentity = { id: me.id, username: me.username };
  const mode = cfg.webhookUrl ? "webhook" : "polling";
  ctx.setStatus({ botId: String(me.id), botName: `@${me.username}`, mode });

  const stopper = new AbortController();
  const onOuterAbort = () => stopper.abort();
  ctx.signal.addEventListener("abort", onOuterAbort, { once: true });
  const receive = (update: unknown) => {
    const msg = normalizeTelegramUpdate(update, ctx.account.accountId, identity);
    if (msg) ctx.receive(msg);
  };

  let closed: Promise<void>;
  if (mode === "webhook") {
    const handler = webhookHandler(cfg, receive, ctx);
    const path = cfg.webhookPath ?? DEFAULT_WEBHOOK_PATH;
    // Its own listener only when asked for (webhookPort); by default the gateway's port serves the path.
    const server = cfg.webhookPort !== undefined ? await startWebhookServer(cfg, path, handler) : undefined;
    const unmount = server ? undefined : ctx.http.register(path, handler);
    try {
      await bot.api.setWebhook(cfg.webhookUrl!, { secret_token: cfg.webhookSecret!, allowed_updates: ["message"] });
    } catch (err) {
      server?.close();
      unmount?.();
      throw telegramError(err, "setWebhook");
    }
    closed = new Promise<void>((resolve, reject) => {
      server?.once("error", (err) => reject(err));
      stopper.signal.addEventListener(
        "abort",
        () => {
          unmount?.();
          if (server) server.close(() => resolve());
          else resolve();
        },
        { once: true },
      );
    });
  } else {
    try {
      // getUpdates is refused while a webhook is set; updates queued meanwhile are kept.
      await bot.api.deleteWebhook({ drop_pending_updates: false });
    } catch (err) {
      throw telegramError(err, "deleteWebhook");
    }
    closed = pollLoop(bot, cfg, stopper.signal, receive, ctx);
  }
  closed = closed.finally(() => ctx.signal.removeEventListener("abort", onOuterAbort));
  return {
    closed,
    transport: transportFor(bot),
    async stop() {
      stopper.abort();
      await closed.catch(() => {});
    },
  };
}

async function pollLoop(
  bot: Bot,
  cfg: TelegramAccountConfig,
  signal: AbortSignal,
  receive: (update: unknown) => void,
  ctx: AccountStartContext<TelegramAccountConfig>,
): Promise<void> {
  let offset = 0;
  let failures = 0;
  const timeout = cfg.pollTimeoutSeconds ?? DEFAULT_POLL_TIMEOUT_S;
  while (!signal.aborted) {
    try {
      const updates = await bot.api.getUpdates(
        { offset, timeout, allowed_updates: ["message"] },
        signal as unknown as GrammySignal,
      );
      if (failures > 0) {
        failures = 0;
        ctx.setStatus({ connected: true, lastError: null });
        ctx.log.info("Telegram polling recovered");
      }
      // The offset confirms everything before it on the next call; a crash before then means redelivery,
      // which the manager's de-duplication absorbs.
      for (const u of updates) {
        offset = Math.max(offset, u.update_id + 1);
        receive(u);
      }
    } catch (err) {
      if (signal.aborted) break;
      const e = telegramError(err, "getUpdates");
      if (e.code === "UNAUTHORIZED") throw e;
      failures += 1;
      ctx.setStatus({ connected: false, lastError: e.message });
      if (failures === 1) ctx.log.warn({ err: e.message }, "Telegram polling failed; retrying");
      await sleep(e.retryAfterMs ?? Math.min(POLL_RETRY_MAX_MS, POLL_RETRY_BASE_MS * 2 ** (failures - 1)), signal);
    }
  }
}

/** Answers Telegram's webhook posts: the secret token header must match, the body must be small JSON. */
function webhookHandler(
  cfg: TelegramAccountConfig,
  receive: (update: unknown) => void,
  ctx: AccountStartContext<TelegramAccountConfig>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    if (!secretMatches(req.headers["x-telegram-bot-api-secret-token"], cfg.webhookSecret!)) {
      ctx.log.warn("Telegram webhook call with a wrong secret token refused");
      res.writeHead(401).end();
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        res.writeHead(413, { connection: "close" }).end();
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on("end", () => {
      if (res.writableEnded) return;
      let update: unknown;
      try {
        update = JSON.parse(Buffer.concat(parts).toString("utf8"));
      } catch {
        res.writeHead(400).end();
        return;
      }
      // Answer first: Telegram redelivers when the answer is slow, and the agent may take minutes.
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      receive(update);
    });
  };
}

/** Constant-time comparison, so the secret cannot be guessed byte by byte from response times. */
function secretMatches(given: string | string[] | undefined, secret: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The webhook on a listener of its own (webhookHost:webhookPort), for setups that expose only that port. */
function startWebhookServer(
  cfg: TelegramAccountConfig,
  path: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    handler(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.webhookPort, cfg.webhookHost ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
