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
  BOT_USER_ID,
  CHANNEL_ID,
  type DiscordCall,
  type FakeDiscord,
  GUILD_ID,
  startFakeDiscord,
  THREAD_ID,
} from "../fixtures/fake-platforms/discord.js";
import type { AgentGateway } from "./agent-gateway.js";

/**
 * Discord end to end: discord.js inside the gateway against a fake REST API and gateway WebSocket, the fake
 * LLM answering "echo: <text>".
 */

const TOKEN = "fake-discord-token";
let dc: FakeDiscord;
let t: AgentGateway;
let nextId = 800_000_000_000_000_000n;
const id = () => String(nextId++);
const bot = { id: BOT_USER_ID, username: "pincer" };

beforeAll(async () => {
  dc = await startFakeDiscord({ token: TOKEN });
  t = await startChannelGateway(() => ({
    discord: {
      apiRoot: dc.apiRoot,
      accounts: {
        default: { token: TOKEN, guilds: { [GUILD_ID]: { channels: { [CHANNEL_ID]: {} } } }, mediaMaxMb: 0.01 },
        bad: { token: "not-the-token" },
      },
    },
  }));
  await waitForAccount(t.client, "discord", "default", (a) => a.connected);
});
afterAll(async () => {
  if (process.env.DEBUG_CHANNELS) console.log(t?.gw.output());
  await t?.close();
  await dc?.close();
});
beforeEach(() => {
  t.fake.reset();
});

async function replyIn(channelId: string, needle: string): Promise<DiscordCall> {
  const [hit] = await dc.calls.waitFor(
    (c) =>
      c.method === "POST" &&
      c.status === 200 &&
      c.path === `/channels/${channelId}/messages` &&
      String(c.body.content).includes(needle),
    1,
    15_000,
    `message containing "${needle}" in ${channelId}`,
  );
  return hit!;
}

describe("Discord channel", () => {
  it("connects over the gateway; a bad token fails alone with the reason in status", async () => {
    const bad = await waitForAccount(t.client, "discord", "bad", (a) => !a.running && a.lastError !== null);
    expect(bad.lastError).toMatch(/Discord rejected the bot token/);
    const status = await channelStatus(t.client, "discord");
    expect(status.channelAccounts.discord.find((a: { accountId: string }) => a.accountId === "default")).toMatchObject({
      connected: true,
      mode: "gateway",
      botId: BOT_USER_ID,
    });
  });

  it("pairs a stranger by DM, then answers there", async () => {
    const dmChannel = id();
    const stranger = { id: id(), username: "stranger" };
    dc.message({ id: id(), channelId: dmChannel, guild: false, author: stranger, content: "hey" });
    const pairing = await replyIn(dmChannel, "Pairing code:");
    const code = /Pairing code: ([A-Z0-9]{8})/.exec(pairing.body.content)![1]!;
    expect(pairing.body.content).toContain(`Discord user id: ${stranger.id}`);
    await t.client.call("channels.pairing.approve", { channel: "discord", code });
    dc.message({ id: id(), channelId: dmChannel, guild: false, author: stranger, content: "hello again" });
    await replyIn(dmChannel, "echo: hello again");
    const typing = dc.calls.items.filter((c) => c.path === `/channels/${dmChannel}/typing`);
    expect(typing.length).toBeGreaterThanOrEqual(1);
  });

  it("answers in a listed guild channel only when mentioned, as a reply that pings nobody", async () => {
    const member = { id: id(), username: "member" };
    dc.message({ id: id(), channelId: CHANNEL_ID, author: member, content: "chatter without mention" });
    const asked = id();
    dc.message({
      id: asked,
      channelId: CHANNEL_ID,
      author: member,
      content: `<@${BOT_USER_ID}> hi @everyone`,
      mentions: [bot],
    });
    const reply = await replyIn(CHANNEL_ID, "echo: hi");
    expect(reply.body.message_reference).toMatchObject({ message_id: asked });
    expect(reply.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(reply.body.content).toBe("echo: hi @\u200beveryone");
    expect(dc.sentTo(CHANNEL_ID)).toHaveLength(1);
  });

  it("replies inside a thread and splits long replies at 2000 characters", async () => {
    const member = { id: id(), username: "threader" };
    t.fake.enqueue({ text: `${"Long line of text. ".repeat(300)}\n\n\`\`\`\n${"code\n".repeat(100)}\`\`\`` });
    dc.message({
      id: id(),
      channelId: THREAD_ID,
      author: member,
      content: `<@${BOT_USER_ID}> write a lot`,
      mentions: [bot],
    });
    await replyIn(THREAD_ID, "```");
    await new Promise((r) => setTimeout(r, 300));
    const parts = dc.sentTo(THREAD_ID);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    for (const p of parts) expect(p.body.content.length).toBeLessThanOrEqual(2000);
    const sessions = await t.client.call<{ sessions: { key: string }[] }>("sessions.list", {});
    expect(sessions.sessions.map((s) => s.key)).toContain(
      `agent:main:discord:channel:${CHANNEL_ID}:thread:${THREAD_ID}`,
    );
  });

  it("waits out a 429 and retries a 500 without sending twice", async () => {
    const member = { id: id(), username: "rl" };
    dc.fail(new RegExp(`^/channels/${CHANNEL_ID}/messages$`), 429, { retryAfter: 1 });
    dc.message({
      id: id(),
      channelId: CHANNEL_ID,
      author: member,
      content: `<@${BOT_USER_ID}> limited`,
      mentions: [bot],
    });
    await replyIn(CHANNEL_ID, "echo: limited");
    dc.fail(new RegExp(`^/channels/${CHANNEL_ID}/messages$`), 500);
    dc.message({
      id: id(),
      channelId: CHANNEL_ID,
      author: member,
      content: `<@${BOT_USER_ID}> broken`,
      mentions: [bot],
    });
    await replyIn(CHANNEL_ID, "echo: broken");
    const texts = dc.sentTo(CHANNEL_ID).map((c) => c.body.content);
    expect(texts.filter((x) => x === "echo: limited")).toHaveLength(1);
    expect(texts.filter((x) => x === "echo: broken")).toHaveLength(1);
  });

  it("resumes after the gateway drops: what was sent meanwhile is answered once, a replay never", async () => {
    const member = { id: id(), username: "resumer" };
    const first = dc.message({
      id: id(),
      channelId: CHANNEL_ID,
      author: member,
      content: `<@${BOT_USER_ID}> before drop`,
      mentions: [bot],
    });
    await replyIn(CHANNEL_ID, "echo: before drop");
    dc.dropGateway({ alsoReplay: [first] });
    await waitForAccount(t.client, "discord", "default", (a) => !a.connected);
    dc.message({
      id: id(),
      channelId: CHANNEL_ID,
      author: member,
      content: `<@${BOT_USER_ID}> during drop`,
      mentions: [bot],
    });
    await replyIn(CHANNEL_ID, "echo: during drop");
    await waitForAccount(t.client, "discord", "default", (a) => a.connected);
    expect(dc.resumes).toBeGreaterThanOrEqual(1);
    dc.message({
      id: id(),
      channelId: CHANNEL_ID,
      author: member,
      content: `<@${BOT_USER_ID}> after`,
      mentions: [bot],
    });
    await replyIn(CHANNEL_ID, "echo: after");
    const texts = dc.sentTo(CHANNEL_ID).map((c) => c.body.content);
    expect(texts.filter((x) => x === "echo: before drop")).toHaveLength(1);
    expect(texts.filter((x) => x === "echo: during drop")).toHaveLength(1);
  });
});

describe("Discord media out", () => {
  const dir = mkdtempSync(join(tmpdir(), "pincer-dc-media-"));
  const ask = (content: string) =>
    dc.message({
      id: id(),
      channelId: CHANNEL_ID,
      author: { id: id(), username: "media" },
      content: `<@${BOT_USER_ID}> ${content}`,
      mentions: [bot],
    });

  it("uploads a reply's local file as an attachment, the reply text as its content", async () => {
    const file = join(dir, "diagram.png");
    const bytes = Buffer.from("not really a png, but bytes all the same");
    writeFileSync(file, bytes);
    answerPrompt(t.fake, "draw it", `The **diagram**:\nMEDIA:${file}`);
    ask("draw it");
    const [call] = await dc.calls.waitFor(
      (c) => c.path === `/channels/${CHANNEL_ID}/messages` && Array.isArray(c.body.uploads),
      1,
      15_000,
      "a message with an attachment",
    );
    expect(call!.body.content).toBe("The **diagram**:");
    expect(call!.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(call!.body.uploads).toHaveLength(1);
    expect(call!.body.uploads[0].fileName).toBe("diagram.png");
    expect(Buffer.compare(call!.body.uploads[0].bytes, bytes)).toBe(0);
  });

  it("links an https URL for Discord to embed, without fetching it", async () => {
    answerPrompt(t.fake, "show video", "Watch:\nMEDIA:https://cdn.example.com/clip.mp4");
    ask("show video");
    const reply = await replyIn(CHANNEL_ID, "cdn.example.com");
    expect(reply.body.content).toBe("Watch:\nhttps://cdn.example.com/clip.mp4");
    expect(reply.body.uploads).toBeUndefined();
  });

  it("refuses a file over mediaMaxMb and a missing one; the text and the others still go", async () => {
    const big = join(dir, "big.bin");
    writeFileSync(big, Buffer.alloc(20 * 1024));
    const ok = join(dir, "ok.txt");
    writeFileSync(ok, "fine");
    answerPrompt(t.fake, "three files", `Three files.\nMEDIA:${big}\nMEDIA:/nope/gone.txt\nMEDIA:${ok}`);
    ask("three files");
    await replyIn(CHANNEL_ID, "Three files.");
    const tooBig = await replyIn(CHANNEL_ID, "big.bin");
    expect(tooBig.body.content).toMatch(/Discord takes at most 0\.0 MB \(channels\.discord\.mediaMaxMb\)/);
    await replyIn(CHANNEL_ID, "attachment file not found: /nope/gone.txt");
    const [sent] = await dc.calls.waitFor(
      (c) => Array.isArray(c.body.uploads) && c.body.uploads[0]?.fileName === "ok.txt",
      1,
      15_000,
      "ok.txt uploaded",
    );
    expect(sent!.body.uploads[0].bytes.toString()).toBe("fine");
    const account = await waitForAccount(t.client, "discord", "default", (a) => /not found/.test(a.lastError ?? ""));
    expect(account.connected).toBe(true);
  });
});
