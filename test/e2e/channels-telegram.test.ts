import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AnyStatus,
  answerPrompt,
  channelStatus,
  runCli,
  startChannelGateway,
  waitForAccount,
} from "../fixtures/fake-platforms/channel-gateway.js";
import type { UploadedFile } from "../fixtures/fake-platforms/http.js";
import { type FakeTelegram, mediaOf, startFakeTelegram } from "../fixtures/fake-platforms/telegram.js";
import type { AgentGateway } from "./agent-gateway.js";
import { freePort } from "./harness.js";

/**
 * Telegram end to end: grammY inside the real gateway process, pointed at a fake Bot API (apiRoot), with the
 * fake LLM answering "echo: <text>". One gateway runs five accounts, one per access setup, plus a bad token.
 */

const T = {
  pair: "111:pair",
  allow: "222:allow",
  open: "333:open",
  off: "444:off",
  hook: "555:hook",
  gwhook: "666:gwhook",
  small: "777:small",
};
const WEBHOOK_SECRET = "hook-secret-123";
let webhookPort = 0;
let tg: FakeTelegram;
let t: AgentGateway;
const BOT_IDS: Record<string, number> = {};
let nextUser = 900;

beforeAll(async () => {
  tg = await startFakeTelegram();
  BOT_IDS.pair = tg.addBot(T.pair, "pincer_pair_bot");
  BOT_IDS.allow = tg.addBot(T.allow, "pincer_allow_bot");
  BOT_IDS.open = tg.addBot(T.open, "pincer_open_bot");
  BOT_IDS.off = tg.addBot(T.off, "pincer_off_bot");
  BOT_IDS.hook = tg.addBot(T.hook, "pincer_hook_bot");
  BOT_IDS.gwhook = tg.addBot(T.gwhook, "pincer_gwhook_bot");
  BOT_IDS.small = tg.addBot(T.small, "pincer_small_bot");
  webhookPort = await freePort();
  t = await startChannelGateway(() => ({
    telegram: {
      apiRoot: tg.apiRoot,
      pollTimeoutSeconds: 5,
      accounts: {
        default: { botToken: T.pair, groups: { "-100": {} } },
        allow: { botToken: T.allow, dmPolicy: "allowlist", allowFrom: ["501"] },
        open: { botToken: T.open, dmPolicy: "open" },
        off: { botToken: T.off, dmPolicy: "disabled" },
        bad: { botToken: "999:not-a-token" },
        hook: {
          botToken: T.hook,
          dmPolicy: "open",
          webhookUrl: "https://bot.example.com/tg",
          webhookSecret: WEBHOOK_SECRET,
          webhookHost: "127.0.0.1",
          webhookPort,
          webhookPath: "/tg",
        },
        // Webhook without webhookPort: served on the gateway's own port at webhookPath.
        gwhook: {
          botToken: T.gwhook,
          dmPolicy: "open",
          webhookUrl: "https://bot.example.com/tg-gw",
          webhookSecret: WEBHOOK_SECRET,
          webhookPath: "/telegram/gw",
        },
        small: { botToken: T.small, dmPolicy: "open", mediaMaxMb: 0.001 },
      },
    },
  }));
  for (const id of ["default", "allow", "open", "off", "hook", "gwhook", "small"]) {
    await waitForAccount(t.client, "telegram", id, (a) => a.connected);
  }
});
afterAll(async () => {
  if (process.env.DEBUG_CHANNELS) console.log(t?.gw.output());
  await t?.close();
  await tg?.close();
});
beforeEach(() => {
  t.fake.reset();
});

function dm(token: string, userId: number, text: string) {
  return tg.pushMessage(token, {
    chat: { id: userId, type: "private" },
    from: { id: userId, first_name: "User", username: `user${userId}` },
    text,
  });
}

/** Waits for a reply in a chat whose text contains `needle`. */
async function replyIn(token: string, chatId: number, needle: string) {
  const [hit] = await tg.calls.waitFor(
    (c) =>
      c.token === token &&
      c.method === "sendMessage" &&
      c.status === 200 &&
      String(c.params.chat_id) === String(chatId) &&
      String(c.params.text).includes(needle),
    1,
    15_000,
    `reply containing "${needle}" in chat ${chatId}`,
  );
  return hit!;
}

describe("Telegram channel", () => {
  it("reports every account in channels.status; a bad token fails alone", async () => {
    const bad = await waitForAccount(t.client, "telegram", "bad", (a) => a.lastError !== null && !a.running);
    expect(bad.lastError).toMatch(/Telegram rejected the bot token \(401/);
    expect(bad.configured).toBe(true);
    const status = await channelStatus(t.client, "telegram");
    const pair = status.channelAccounts.telegram.find((a: AnyStatus) => a.accountId === "default");
    expect(pair).toMatchObject({ configured: true, running: true, connected: true, lastError: null, mode: "polling" });
    expect(pair.botName).toBe("@pincer_pair_bot");
    expect(status.channels.telegram.connected).toBe(true);
    const cli = await runCli(t.gw, ["channels", "status"]);
    expect(cli.stdout).toContain("Telegram/default @pincer_pair_bot (polling): connected");
    expect(cli.stdout).toMatch(
      /Telegram\/bad \(polling\): stopped[^\n]*\n {2}last error: Telegram rejected the bot token/,
    );
    const health = await t.client.call<AnyStatus>("health");
    expect(health.channelOrder).toEqual(["telegram"]);
    expect(health.channelLabels.telegram).toBe("Telegram");
  });

  it("answers a stranger with a pairing code once, and talks after approval", async () => {
    const user = nextUser++;
    dm(T.pair, user, "hello?");
    const pairing = await replyIn(T.pair, user, "Pairing code:");
    const code = /Pairing code: ([A-Z0-9]{8})/.exec(pairing.params.text)![1]!;
    expect(pairing.params.text).toContain(`pincer pairing approve telegram ${code}`);
    expect(pairing.params.text).toContain(`Telegram user id: ${user}`);
    dm(T.pair, user, "still there?");

    const listed = await t.client.call<AnyStatus>("channels.pairing.list", { channel: "telegram", includeCodes: true });
    expect(listed.requests.map((r: AnyStatus) => [r.senderId, r.code])).toContainEqual([String(user), code]);
    expect(listed.limits).toEqual({ pendingPerAccount: 3, ttlMs: 3_600_000 });

    const wrong = await runCli(t.gw, ["pairing", "approve", "telegram", "ZZZZ2222"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/NOT_FOUND: no pending telegram pairing request with code ZZZZ2222/);
    const ok = await runCli(t.gw, ["pairing", "approve", "telegram", code.toLowerCase(), "--notify"]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toContain(`Approved telegram sender ${user} (notified)`);
    await replyIn(T.pair, user, "You're approved");

    dm(T.pair, user, "now?");
    await replyIn(T.pair, user, "echo: now?");
    // The pairing reply, the approval notice, the answer: "still there?" got nothing.
    expect(tg.sent(T.pair, user)).toHaveLength(3);
    const typing = tg.calls.items.filter(
      (c) => c.method === "sendChatAction" && String(c.params.chat_id) === String(user),
    );
    expect(typing.length).toBeGreaterThanOrEqual(1);
    expect(typing[0]!.params.action).toBe("typing");
  });

  it("applies allowlist, open and disabled DM policies to strangers", async () => {
    const stranger = nextUser++;
    dm(T.allow, stranger, "let me in");
    dm(T.off, stranger, "anyone?");
    dm(T.open, stranger, "open door");
    dm(T.allow, 501, "I am listed");
    await replyIn(T.open, stranger, "echo: open door");
    await replyIn(T.allow, 501, "echo: I am listed");
    // Messages are handled in order per account, so the stranger's earlier message had its chance.
    expect(tg.sent(T.allow, stranger)).toHaveLength(0);
    expect(tg.sent(T.off, stranger)).toHaveLength(0);
    expect(tg.sent(T.off, 501)).toHaveLength(0);
  });

  it('records the conversation on the session, so cron and heartbeat can deliver to "last"', async () => {
    const user = nextUser++;
    dm(T.open, user, "remember where I am");
    await replyIn(T.open, user, "echo: remember where I am");
    const { sessions } = await t.client.call<{ sessions: Record<string, unknown>[] }>("sessions.list", {});
    const main = sessions.find((s) => s.key === "agent:main:main");
    expect(main).toMatchObject({ lastChannel: "telegram", lastTo: String(user), lastAccountId: "open" });
  });

  it("answers in a group only when mentioned, threading the reply", async () => {
    const owner = 501_000;
    const group = { id: -100, type: "supergroup" as const, title: "Team" };
    tg.pushMessage(T.pair, { chat: group, from: { id: owner, username: "own" }, text: "no mention here" });
    const text = "@pincer_pair_bot what time is it";
    const { messageId } = tg.pushMessage(T.pair, {
      chat: group,
      from: { id: owner, username: "own" },
      text,
      entities: [{ type: "mention", offset: 0, length: 16 }],
    });
    const reply = await replyIn(T.pair, -100, "what time is it");
    expect(reply.params.reply_parameters.message_id).toBe(messageId);
    expect(tg.sent(T.pair, -100)).toHaveLength(1);
  });

  it("splits a long reply at 4000 characters without breaking its code fence, as HTML", async () => {
    const code = Array.from({ length: 400 }, (_, i) => `let v${i} = ${i} < ${i + 1};`).join("\n");
    t.fake.enqueue({ text: `Here is the code:\n\n\`\`\`js\n${code}\n\`\`\`\n\nDone.` });
    const user = nextUser++;
    dm(T.open, user, "write code");
    await replyIn(T.open, user, "Done.");
    const parts = tg.sent(T.open, user);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      expect(p.params.parse_mode).toBe("HTML");
      expect(p.params.text.length).toBeLessThanOrEqual(4096);
      expect((p.params.text.match(/<pre>/g) ?? []).length).toBe((p.params.text.match(/<\/pre>/g) ?? []).length);
    }
    expect(parts.slice(1, -1).every((p) => p.params.text.startsWith('<pre><code class="language-js">'))).toBe(true);
    expect(parts.map((p) => p.params.text).join("")).toContain("let v399 = 399 &lt; 400;");
  });

  it("accepts a 100 KB message, handing the agent a marked cut", async () => {
    const user = nextUser++;
    dm(T.open, user, `big ${"x".repeat(100 * 1024)}`);
    await replyIn(T.open, user, "echo: big");
    const request = t.fake.requests.at(-1)!;
    expect(request.lastUserText.length).toBeLessThan(70_000);
    expect(request.lastUserText).toContain("[message truncated: 102,404 characters");
  });

  it("waits out a 429 (retry_after) and retries a 500, sending each reply once", async () => {
    const user = nextUser++;
    tg.fail("sendMessage", 429, { retryAfter: 1, token: T.open });
    dm(T.open, user, "rate limited");
    await replyIn(T.open, user, "echo: rate limited");
    tg.fail("sendMessage", 500, { token: T.open });
    dm(T.open, user, "server error");
    await replyIn(T.open, user, "echo: server error");
    const texts = tg.sent(T.open, user).map((c) => c.params.text);
    expect(texts).toEqual(["echo: rate limited", "echo: server error"]);
  });

  it("reconnects after the API drops, answering what came meanwhile once and a redelivery never", async () => {
    const user = nextUser++;
    tg.disconnect();
    const down = await waitForAccount(t.client, "telegram", "open", (a) => !a.connected);
    expect(down.lastError).toMatch(/cannot reach the Telegram Bot API/);
    const { updateId } = dm(T.open, user, "sent while down");
    tg.restore();
    await replyIn(T.open, user, "echo: sent while down");
    await waitForAccount(t.client, "telegram", "open", (a) => a.connected && a.lastError === null);
    tg.redeliver(T.open, updateId);
    dm(T.open, user, "after");
    await replyIn(T.open, user, "echo: after");
    expect(tg.sent(T.open, user).map((c) => c.params.text)).toEqual(["echo: sent while down", "echo: after"]);
  });

  it("runs in webhook mode: registers the webhook with its secret and refuses posts without it", async () => {
    const [setWebhook] = await tg.calls.waitFor((c) => c.token === T.hook && c.method === "setWebhook");
    expect(setWebhook!.params).toMatchObject({ url: "https://bot.example.com/tg", secret_token: WEBHOOK_SECRET });
    expect((await waitForAccount(t.client, "telegram", "hook", (a) => a.connected)).mode).toBe("webhook");
    const user = nextUser++;
    const update = (text: string, id: number) => ({
      update_id: id,
      message: {
        message_id: id,
        date: 1,
        chat: { id: user, type: "private" },
        from: { id: user, first_name: "W" },
        text,
      },
    });
    const post = (body: unknown, secret?: string) =>
      fetch(`http://127.0.0.1:${webhookPort}/tg`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
        },
        body: JSON.stringify(body),
      });
    expect((await post(update("forged", 1), "wrong")).status).toBe(401);
    expect((await post(update("forged", 1))).status).toBe(401);
    expect((await post("{not json", WEBHOOK_SECRET)).status).toBe(200);
    expect((await post(update("via webhook", 2), WEBHOOK_SECRET)).status).toBe(200);
    await replyIn(T.hook, user, "echo: via webhook");
    expect(tg.sent(T.hook, user).map((c) => c.params.text)).toEqual(["echo: via webhook"]);
  });
});

describe("Telegram webhook on the gateway port", () => {
  it("serves webhookPath on the gateway's port, checking the secret token header", async () => {
    const [setWebhook] = await tg.calls.waitFor((c) => c.token === T.gwhook && c.method === "setWebhook");
    expect(setWebhook!.params).toMatchObject({ url: "https://bot.example.com/tg-gw", secret_token: WEBHOOK_SECRET });
    const user = nextUser++;
    const update = (text: string, id: number) => ({
      update_id: id,
      message: {
        message_id: id,
        date: 1,
        chat: { id: user, type: "private" },
        from: { id: user, first_name: "G" },
        text,
      },
    });
    const post = (body: unknown, secret?: string) =>
      fetch(`${t.gw.httpUrl}/telegram/gw`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
        },
        body: JSON.stringify(body),
      });
    expect((await post(update("forged", 1))).status).toBe(401);
    expect((await post(update("forged", 2), `${WEBHOOK_SECRET}x`)).status).toBe(401);
    expect((await fetch(`${t.gw.httpUrl}/telegram/gw`)).status).toBe(405);
    expect((await post(update("through the gateway", 3), WEBHOOK_SECRET)).status).toBe(200);
    await replyIn(T.gwhook, user, "echo: through the gateway");
    expect(tg.sent(T.gwhook, user).map((c) => c.params.text)).toEqual(["echo: through the gateway"]);
  });
});

describe("Telegram media out", () => {
  const dir = mkdtempSync(join(tmpdir(), "pincer-tg-media-"));
  const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
  const mediaCall = (token: string, method: string, chatId: number) =>
    tg.calls.waitFor(
      (c) => c.token === token && c.method === method && String(c.params.chat_id) === String(chatId),
      1,
      15_000,
      `${method} to ${chatId}`,
    );

  it("uploads a reply's local file with the reply text as its HTML caption", async () => {
    const file = join(dir, "chart.png");
    writeFileSync(file, png);
    answerPrompt(t.fake, "chart please", `Here is the **chart**.\n\nMEDIA:${file}`);
    const user = nextUser++;
    dm(T.open, user, "chart please");
    const [call] = await mediaCall(T.open, "sendPhoto", user);
    const photo = mediaOf(call!, "photo") as UploadedFile;
    expect(photo.fileName).toBe("chart.png");
    expect(photo.bytes.equals(png)).toBe(true);
    expect(call!.params).toMatchObject({ caption: "Here is the <b>chart</b>.", parse_mode: "HTML" });
    expect(tg.sent(T.open, user)).toHaveLength(0);
  });

  it("hands Telegram an https URL to fetch, after text too long for a caption", async () => {
    const long = "word ".repeat(300).trim();
    answerPrompt(t.fake, "report", `${long}\nMEDIA:https://cdn.example.com/files/report.pdf`);
    const user = nextUser++;
    dm(T.open, user, "report");
    const [call] = await mediaCall(T.open, "sendDocument", user);
    expect(mediaOf(call!, "document")).toBe("https://cdn.example.com/files/report.pdf");
    expect(call!.params.caption).toBeUndefined();
    expect(tg.sent(T.open, user).map((c) => c.params.text)).toEqual([long]);
  });

  it.each([
    [
      "a missing file",
      "MEDIA:/nonexistent/pincer/missing.png",
      "attachment file not found: /nonexistent/pincer/missing.png",
    ],
    ["an unsupported scheme", "MEDIA:ftp://files.example.com/a.png", 'unsupported scheme "ftp:"'],
  ])("reports %s to the person and in status; the text still arrives", async (_what, line, reason) => {
    answerPrompt(t.fake, "bad media", `Text survives.\n${line}`);
    const user = nextUser++;
    dm(T.open, user, "bad media");
    await replyIn(T.open, user, "attachment not sent");
    const texts = tg.sent(T.open, user).map((c) => c.params.text);
    expect(texts[0]).toBe("Text survives.");
    expect(texts[1]).toContain(reason);
    const open = await waitForAccount(t.client, "telegram", "open", (a) => String(a.lastError).includes(reason));
    expect(open.connected).toBe(true);
  });

  it("the agent's message tool sends a file with a caption to another chat", async () => {
    const file = join(dir, "brochure.png");
    writeFileSync(file, png);
    const user = nextUser++;
    const colleague = nextUser++;
    let asked = false;
    t.fake.setDefault((req) => {
      if (!req.lastUserText.includes("send the brochure")) return { text: `echo: ${req.lastUserText}` };
      if (asked) return { text: "Sent it." };
      asked = true;
      const args = {
        channel: "telegram",
        accountId: "open",
        to: String(colleague),
        media: file,
        text: "Our **brochure**",
      };
      return { toolCalls: [{ name: "message", args }] };
    });
    dm(T.open, user, "send the brochure to my colleague");
    const [call] = await mediaCall(T.open, "sendPhoto", colleague);
    expect((mediaOf(call!, "photo") as UploadedFile).bytes.equals(png)).toBe(true);
    expect(call!.params).toMatchObject({ caption: "Our <b>brochure</b>", parse_mode: "HTML" });
    await replyIn(T.open, user, "Sent it.");
  });

  it("refuses a file over the account's mediaMaxMb, naming the limit and the key", async () => {
    const file = join(dir, "big.png");
    writeFileSync(file, Buffer.alloc(4096, 7));
    answerPrompt(t.fake, "big", `Big one.\nMEDIA:${file}`);
    const user = nextUser++;
    dm(T.small, user, "big");
    const notice = await replyIn(T.small, user, "attachment not sent");
    expect(notice.params.text).toContain(
      "big.png is 0.0 MB; Telegram takes at most 0.0 MB (channels.telegram.mediaMaxMb)",
    );
    expect(tg.sent(T.small, user)[0]!.params.text).toBe("Big one.");
    expect(tg.calls.items.filter((c) => c.token === T.small && c.method === "sendPhoto")).toHaveLength(0);
  });
});
