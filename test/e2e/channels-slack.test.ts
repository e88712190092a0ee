import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  answerPrompt,
  channelStatus,
  startChannelGateway,
  waitForAccount,
} from "../fixtures/fake-platforms/channel-gateway.js";
import {
  eventCallback,
  type FakeSlack,
  SLACK_BOT_USER,
  type SlackCall,
  slackSignature,
  startFakeSlack,
} from "../fixtures/fake-platforms/slack.js";
import type { AgentGateway } from "./agent-gateway.js";
import { freePort } from "./harness.js";

/**
 * Slack end to end: @slack/bolt inside the gateway, Socket Mode against a fake Web API + WebSocket, one HTTP-mode
 * account fed signed event posts, and the fake LLM answering "echo: <text>".
 */

const BOT = "xoxb-fake";
const APP = "xapp-fake";
const SIGNING = "signing-secret";
let sl: FakeSlack;
let t: AgentGateway;
let httpPort = 0;
let n = 0;
const nextTs = () => `1700000${String(++n).padStart(3, "0")}.000200`;

beforeAll(async () => {
  sl = await startFakeSlack({ botToken: BOT, appToken: APP });
  httpPort = await freePort();
  t = await startChannelGateway(() => ({
    slack: {
      apiUrl: sl.apiUrl,
      accounts: {
        default: { botToken: BOT, appToken: APP, channels: { C100: {} } },
        bad: { botToken: "xoxb-wrong", appToken: APP },
        web: {
          mode: "http",
          botToken: BOT,
          signingSecret: SIGNING,
          webhookPort: httpPort,
          webhookHost: "127.0.0.1",
          dmPolicy: "open",
        },
        // HTTP mode without webhookPort: the Events API on the gateway's own port, at its webhookPath.
        gw: { mode: "http", botToken: BOT, signingSecret: SIGNING, dmPolicy: "open", mediaMaxMb: 0.01 },
        gw2: { mode: "http", botToken: BOT, signingSecret: "other-secret", webhookPath: "/slack/second" },
      },
    },
  }));
  await waitForAccount(t.client, "slack", "default", (a) => a.connected);
});
afterAll(async () => {
  if (process.env.DEBUG_CHANNELS) console.log(t?.gw.output());
  await t?.close();
  await sl?.close();
});
beforeEach(() => {
  t.fake.reset();
});

async function postedIn(channel: string, needle: string): Promise<SlackCall> {
  const [hit] = await sl.calls.waitFor(
    (c) =>
      c.method === "chat.postMessage" &&
      c.status === 200 &&
      c.args.channel === channel &&
      String(c.args.text).includes(needle),
    1,
    15_000,
    `post containing "${needle}" in ${channel}`,
  );
  return hit!;
}

const dm = (user: string, text: string, ts = nextTs()) => ({
  type: "message",
  channel: `D${user}`,
  channel_type: "im",
  user,
  text,
  ts,
});

describe("Slack channel", () => {
  it("connects in Socket Mode; a bad token fails alone with the reason in status", async () => {
    const bad = await waitForAccount(t.client, "slack", "bad", (a) => !a.running && a.lastError !== null);
    expect(bad.lastError).toMatch(/Slack rejected the token \(invalid_auth\)/);
    const status = await channelStatus(t.client, "slack");
    const accounts = status.channelAccounts.slack;
    expect(accounts.find((a: { accountId: string }) => a.accountId === "default")).toMatchObject({
      connected: true,
      mode: "socket",
      botId: SLACK_BOT_USER,
    });
    expect(accounts.find((a: { accountId: string }) => a.accountId === "web")).toMatchObject({
      connected: true,
      mode: "http",
    });
  });

  it("pairs a stranger by DM, then answers in mrkdwn", async () => {
    sl.event(dm("U1", "hello"));
    const pairing = await postedIn("DU1", "Pairing code:");
    const code = /Pairing code: ([A-Z0-9]{8})/.exec(pairing.args.text)![1]!;
    await t.client.call("channels.pairing.approve", { channel: "slack", code, accountId: "default" });
    t.fake.enqueue({ text: "**Bold** and [a link](https://example.com) & <tags>" });
    sl.event(dm("U1", "format please"));
    const reply = await postedIn("DU1", "Bold");
    expect(reply.args.text).toBe("*Bold* and <https://example.com|a link> &amp; &lt;tags&gt;");
  });

  it("answers in a listed channel only when mentioned; the same message as two events is answered once", async () => {
    sl.event({
      type: "message",
      channel: "C100",
      channel_type: "channel",
      user: "U2",
      text: "no mention",
      ts: nextTs(),
    });
    const ts = nextTs();
    const text = `<@${SLACK_BOT_USER}> status?`;
    sl.event({ type: "message", channel: "C100", channel_type: "channel", user: "U2", text, ts });
    sl.event({ type: "app_mention", channel: "C100", user: "U2", text, ts });
    await postedIn("C100", "echo: status?");
    const threaded = nextTs();
    sl.event({
      type: "message",
      channel: "C100",
      channel_type: "channel",
      user: "U2",
      text: `<@${SLACK_BOT_USER}> in thread`,
      ts: nextTs(),
      thread_ts: threaded,
    });
    const inThread = await postedIn("C100", "echo: in thread");
    expect(inThread.args.thread_ts).toBe(threaded);
    expect(sl.posted("C100").map((c) => c.args.text)).toEqual(["echo: status?", "echo: in thread"]);
  });

  it("waits out a 429 (Retry-After) and retries a 500, posting once", async () => {
    sl.fail("chat.postMessage", 429, { retryAfter: 1 });
    sl.event({ type: "app_mention", channel: "C100", user: "U3", text: `<@${SLACK_BOT_USER}> limited`, ts: nextTs() });
    await postedIn("C100", "echo: limited");
    sl.fail("chat.postMessage", 500);
    sl.event({ type: "app_mention", channel: "C100", user: "U3", text: `<@${SLACK_BOT_USER}> broken`, ts: nextTs() });
    await postedIn("C100", "echo: broken");
    const texts = sl.posted("C100").map((c) => c.args.text);
    expect(texts.filter((x) => x === "echo: limited")).toHaveLength(1);
    expect(texts.filter((x) => x === "echo: broken")).toHaveLength(1);
  });

  it("reconnects after the socket drops and ignores a redelivered envelope", async () => {
    const before = sl.connections;
    const ts = nextTs();
    const event = { type: "app_mention", channel: "C100", user: "U4", text: `<@${SLACK_BOT_USER}> once`, ts };
    const envelopeId = sl.event(event);
    await postedIn("C100", "echo: once");
    sl.dropSocket();
    await waitForAccount(t.client, "slack", "default", (a) => !a.connected);
    sl.event({
      type: "app_mention",
      channel: "C100",
      user: "U4",
      text: `<@${SLACK_BOT_USER}> while away`,
      ts: nextTs(),
    });
    await waitForAccount(t.client, "slack", "default", (a) => a.connected, 30_000);
    expect(sl.connections).toBeGreaterThan(before);
    await postedIn("C100", "echo: while away");
    sl.event(event, { envelopeId, retryAttempt: 1 });
    await sl.acks.waitFor((a) => a === envelopeId, 2);
    sl.event({ type: "app_mention", channel: "C100", user: "U4", text: `<@${SLACK_BOT_USER}> last`, ts: nextTs() });
    await postedIn("C100", "echo: last");
    expect(sl.posted("C100").filter((c) => c.args.text === "echo: once")).toHaveLength(1);
  });

  it("takes signed events over HTTP and refuses unsigned ones", async () => {
    const body = JSON.stringify({
      token: "x",
      team_id: "T0001",
      api_app_id: "A0001",
      type: "event_callback",
      event_id: "Ev1",
      event_time: 1,
      event: dm("U9", "over http"),
    });
    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${httpPort}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    expect((await post({})).status).toBe(401);
    const stamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac("sha256", SIGNING).update(`v0:${stamp}:${body}`).digest("hex")}`;
    expect((await post({ "x-slack-request-timestamp": stamp, "x-slack-signature": signature })).status).toBe(200);
    await postedIn("DU9", "echo: over http");
  });
});

describe("Slack HTTP mode on the gateway port", () => {
  const gatewayPost = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${t.gw.httpUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  const signed = (body: string, secret = SIGNING, at = Math.floor(Date.now() / 1000)) => ({
    "x-slack-request-timestamp": String(at),
    "x-slack-signature": slackSignature(secret, at, body),
  });
  const dir = mkdtempSync(join(tmpdir(), "pincer-slack-media-"));

  it("answers url_verification and refuses a bad signature or a stale timestamp", async () => {
    await waitForAccount(t.client, "slack", "gw", (a) => a.connected);
    const challenge = JSON.stringify({ token: "x", challenge: "chal-123", type: "url_verification" });
    const verified = await gatewayPost("/slack/events", challenge, signed(challenge));
    expect(verified.status).toBe(200);
    expect(await verified.text()).toContain("chal-123");
    expect((await gatewayPost("/slack/events", challenge, {})).status).toBe(401);
    expect((await gatewayPost("/slack/events", challenge, signed(challenge, "wrong-secret"))).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await gatewayPost("/slack/events", challenge, signed(challenge, SIGNING, stale))).status).toBe(401);
    // Each account has its own path and secret: gw's signature does not open gw2's door.
    expect((await gatewayPost("/slack/second", challenge, signed(challenge))).status).toBe(401);
    expect((await gatewayPost("/slack/second", challenge, signed(challenge, "other-secret"))).status).toBe(200);
    // Only POST is an event; a GET on the path does not fall through to the Control UI.
    const get = await fetch(`${t.gw.httpUrl}/slack/events`);
    expect(get.status).toBe(405);
  });

  it("takes a signed event posted to the gateway port and answers through the Web API", async () => {
    const body = JSON.stringify(eventCallback(dm("U10", "via the gateway port")));
    expect((await gatewayPost("/slack/events", body, signed(body))).status).toBe(200);
    await postedIn("DU10", "echo: via the gateway port");
  });

  it("uploads a reply's file through getUploadURLExternal + completeUploadExternal, with the caption", async () => {
    const file = join(dir, "notes.txt");
    writeFileSync(file, "hello from pincer\n");
    answerPrompt(t.fake, "send notes", `**Your** notes.\nMEDIA:${file}`);
    const body = JSON.stringify(eventCallback(dm("U11", "send notes")));
    expect((await gatewayPost("/slack/events", body, signed(body))).status).toBe(200);
    const [upload] = await sl.uploads.waitFor((u) => u.fileName === "notes.txt");
    expect(upload!.bytes.toString()).toBe("hello from pincer\n");
    const [complete] = await sl.calls.waitFor((c) => c.method === "files.completeUploadExternal");
    expect(complete!.args).toMatchObject({ channel_id: "DU11", initial_comment: "*Your* notes." });
    expect(JSON.parse(complete!.args.files)).toEqual([{ id: upload!.fileId, title: "notes.txt" }]);
    expect(sl.posted("DU11")).toHaveLength(0);
  });

  it("links a URL instead of fetching it, and reports a file over mediaMaxMb while the text still goes", async () => {
    answerPrompt(t.fake, "report", "The report:\nMEDIA:https://files.example.com/report.pdf");
    const first = JSON.stringify(eventCallback(dm("U12", "report")));
    await gatewayPost("/slack/events", first, signed(first));
    const link = await postedIn("DU12", "files.example.com");
    expect(link.args.text).toBe("The report:\n<https://files.example.com/report.pdf>");

    const big = join(dir, "big.bin");
    writeFileSync(big, Buffer.alloc(64 * 1024));
    answerPrompt(t.fake, "big one", `Too big?\nMEDIA:${big}`);
    const second = JSON.stringify(eventCallback(dm("U12", "big one")));
    await gatewayPost("/slack/events", second, signed(second));
    await postedIn("DU12", "Too big?");
    const notice = await postedIn("DU12", "attachment not sent");
    expect(notice.args.text).toMatch(
      /big\.bin is 0\.1 MB; Slack takes at most 0\.0 MB \(channels\.slack\.mediaMaxMb\)/,
    );
    const gw = await waitForAccount(t.client, "slack", "gw", (a) => /attachment not sent/.test(a.lastError ?? ""));
    expect(gw.connected).toBe(true);
  });
});
