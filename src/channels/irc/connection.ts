import { randomUUID } from "node:crypto";
import type { Client } from "irc-framework";
import { PincerError } from "../../errors.js";
import type { IrcAccountConfig } from "../config-schema.js";
import type { AccountConnection, AccountStartContext, AccountTransport } from "../plugin.js";
import { type IrcPrivmsg, normalizeIrcMessage } from "./normalize.js";

/** Registration must finish within this (DNS, TLS, ident and SASL included). */
const REGISTER_TIMEOUT_MS = 20_000;
/** Reconnects after a drop: quick at first, capped; after this many failures the manager takes over. */
const RECONNECT_BASE_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;
const RECONNECT_ATTEMPTS = 6;
/** Flood control: a burst of lines goes out at once, then one line per interval, so servers do not kick us. */
const FLOOD_BURST_LINES = 5;
const FLOOD_INTERVAL_MS = 300;

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

/** Connects and registers one client; rejects with why the server refused us. */
async function connectOnce(cfg: IrcAccountConfig, ctx: AccountStartContext<IrcAccountConfig>): Promise<Client> {
  const { Client } = (await import("irc-framework")) as typeof import("irc-framework");
  const client = new Client();
  return new Promise<Client>((resolve, reject) => {
    let serverError: string | undefined;
    let fatal = false;
    const fail = (err: PincerError) => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.quit();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new PincerError("UNAVAILABLE", `IRC server ${cfg.host}:${cfg.port} did not finish registration in time`, {
            retryable: true,
          }),
        ),
      REGISTER_TIMEOUT_MS,
    );
    client.on("irc error", (e: { error?: string; reason?: string }) => {
      if (e.error === "password_mismatch") {
        fatal = true;
        serverError = e.reason ?? "464 password mismatch";
      } else if (e.reason) {
        serverError = e.reason;
      }
    });
    client.on("sasl failed", (e: { reason?: string; message?: string }) => {
      // irc-framework also tries the server password as SASL when the server offers it; only our own
      // SASL settings make a failure fatal.
      if (!cfg.sasl) return;
      fail(
        new PincerError(
          "UNAUTHORIZED",
          `IRC SASL login failed (${e.reason ?? e.message ?? "rejected"}): check channels.irc.sasl`,
        ),
      );
    });
    // `client.connected` is already true once the socket is up: registration is tracked here instead.
    let registered = false;
    client.on("nick in use", () => {
      // Keep registering under an alternate nick rather than hanging; mentions follow the nick we got.
      if (!registered) client.changeNick(`${cfg.nick}_`);
    });
    client.on("nick invalid", (e: { nick?: string; reason?: string }) => {
      if (registered) return;
      fail(
        new PincerError(
          "CONFIG_INVALID",
          `IRC server rejected the nick "${e.nick ?? cfg.nick}" (${e.reason ?? "erroneous nickname"}): change channels.irc.nick (many servers allow at most 9 characters)`,
        ),
      );
    });
    client.on("socket error", (e: Error) => {
      serverError ??= e.message;
    });
    client.once("registered", () => {
      registered = true;
      clearTimeout(timer);
      resolve(client);
    });
    client.once("close", () => {
      const message = `IRC connection to ${cfg.host}:${cfg.port} closed before registration${serverError ? `: ${serverError}` : ""}`;
      const badPassword = fatal || /bad password|password/i.test(serverError ?? "");
      fail(
        badPassword
          ? new PincerError(
              "UNAUTHORIZED",
              `IRC server refused the password (${serverError}): check channels.irc.password`,
            )
          : new PincerError("UNAVAILABLE", message, { retryable: true }),
      );
    });
    ctx.signal.addEventListener("abort", () => fail(new PincerError("ABORTED", "stopped")), { once: true });
    client.connect({
      host: cfg.host!,
      port: cfg.port ?? (cfg.tls ? 6697 : 6667),
      tls: cfg.tls ?? false,
      nick: cfg.nick!,
      username: cfg.username ?? cfg.nick!,
      gecos: cfg.realname ?? "Pincer assistant",
      ...(cfg.password ? { password: cfg.password } : {}),
      ...(cfg.sasl ? { account: cfg.sasl } : {}),
      // Reconnection is ours (startIrcAccount) so status and backoff are the same as every other channel.
      auto_reconnect: false,
      message_max_length: 350,
      version: "Pincer",
    });
  });
}

export async function startIrcAccount(ctx: AccountStartContext<IrcAccountConfig>): Promise<AccountConnection> {
  const cfg = ctx.account.config;
  const stopper = new AbortController();
  ctx.signal.addEventListener("abort", () => stopper.abort(), { once: true });
  let client = await connectOnce(cfg, ctx);

  const attach = (c: Client) => {
    ctx.setStatus({ botName: c.user.nick, mode: cfg.tls ? "tls" : "plain" });
    for (const channel of cfg.channels ?? []) c.join(channel);
    c.on("privmsg", (event: IrcPrivmsg) => {
      const msg = normalizeIrcMessage(event, {
        accountId: ctx.account.accountId,
        ownNick: c.user.nick,
        fallbackId: randomUUID,
        now: Date.now(),
      });
      if (msg) ctx.receive(msg);
    });
  };
  attach(client);

  // Lines wait here so a long reply paces itself (FLOOD_*) instead of flooding the server.
  let sentInBurst = 0;
  let lastSendAt = 0;
  let sendChain = Promise.resolve();
  const transport: AccountTransport = {
    sendMedia(target, media) {
      // IRC has no files: a link goes out as text with its caption, a local file cannot go at all.
      if (!media.source.startsWith("https://")) {
        return Promise.reject(
          new PincerError(
            "INVALID_REQUEST",
            `IRC cannot send files (${media.fileName ?? "a local file"}): share an https link to it instead`,
          ),
        );
      }
      const caption = media.caption?.replace(/\s*\n\s*/g, " ").trim();
      return transport.sendText(target, caption ? `${caption} ${media.source}` : media.source);
    },
    sendText(target, text) {
      const run = sendChain.then(async () => {
        if (!client.connected) throw new PincerError("UNAVAILABLE", "IRC is reconnecting", { retryable: true });
        const now = Date.now();
        if (now - lastSendAt > FLOOD_INTERVAL_MS * FLOOD_BURST_LINES) sentInBurst = 0;
        if (sentInBurst >= FLOOD_BURST_LINES)
          await sleep(Math.max(0, lastSendAt + FLOOD_INTERVAL_MS - now), stopper.signal);
        client.say(target.peerId, text);
        sentInBurst += 1;
        lastSendAt = Date.now();
        return { messageId: randomUUID() };
      });
      sendChain = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
  };

  const supervise = async (): Promise<void> => {
    while (!stopper.signal.aborted) {
      const dropped = await new Promise<string>((resolve) => {
        const onStop = () => resolve("stopped");
        stopper.signal.addEventListener("abort", onStop, { once: true });
        client.once("close", () => {
          stopper.signal.removeEventListener("abort", onStop);
          resolve("the IRC server closed the connection");
        });
      });
      if (stopper.signal.aborted) break;
      ctx.setStatus({ connected: false, lastError: dropped });
      ctx.log.warn("IRC connection dropped; reconnecting");
      let attempt = 0;
      for (;;) {
        attempt += 1;
        await sleep(Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** (attempt - 1)), stopper.signal);
        if (stopper.signal.aborted) return;
        try {
          client = await connectOnce(cfg, ctx);
          attach(client);
          ctx.setStatus({ connected: true, lastError: null });
          ctx.log.info("IRC reconnected");
          break;
        } catch (err) {
          const e = err as PincerError;
          ctx.setStatus({ lastError: e.message });
          if (e.code === "UNAUTHORIZED" || attempt >= RECONNECT_ATTEMPTS) throw e;
        }
      }
    }
  };
  const closed = supervise();
  return {
    closed,
    transport,
    async stop() {
      stopper.abort();
      client.quit("Pincer stopping");
      await closed.catch(() => {});
    },
  };
}
