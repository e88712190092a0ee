import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { channelStatus, startChannelGateway, waitForAccount } from "../fixtures/fake-platforms/channel-gateway.js";
import { connectIrcUser, type IrcUser } from "../fixtures/fake-platforms/irc-user.js";
import { type Ngircd, ngircdAvailable, startNgircd } from "../fixtures/fake-platforms/ngircd.js";
import type { AgentGateway } from "./agent-gateway.js";

/**
 * IRC end to end against a real ngircd (Debian package, started here on 127.0.0.1): irc-framework inside the
 * gateway, people played by plain irc-framework clients, the fake LLM answering "echo: <text>".
 */

const PASSWORD = "server-pass";
let irc: Ngircd;
let t: AgentGateway;
const users: IrcUser[] = [];

async function user(nick: string): Promise<IrcUser> {
  const u = await connectIrcUser(irc.host, irc.port, nick, PASSWORD);
  users.push(u);
  return u;
}

describe.skipIf(!ngircdAvailable())("IRC channel (ngircd)", () => {
  beforeAll(async () => {
    irc = await startNgircd({ password: PASSWORD });
    t = await startChannelGateway(() => ({
      irc: {
        host: irc.host,
        port: irc.port,
        password: PASSWORD,
        nick: "pincer",
        channels: ["#pincer"],
        accounts: { default: {}, bad: { nick: "badpincer", password: "wrong" }, long: { nick: "pincerwithalongnick" } },
      },
    }));
    await waitForAccount(t.client, "irc", "default", (a) => a.connected);
  });
  afterAll(async () => {
    if (process.env.DEBUG_CHANNELS) console.log(t?.gw.output());
    for (const u of users) u.close();
    await t?.close();
    await irc?.close();
  });
  beforeEach(() => {
    t.fake.reset();
  });

  it("connects with the server password; a wrong password shows in status and stops only that account", async () => {
    const bad = await waitForAccount(t.client, "irc", "bad", (a) => !a.running && a.lastError !== null);
    expect(bad.lastError).toMatch(/password/i);
    const status = await channelStatus(t.client, "irc");
    expect(status.channelAccounts.irc.find((a: { accountId: string }) => a.accountId === "default")).toMatchObject({
      connected: true,
      botName: "pincer",
      mode: "plain",
    });
  });

  it("a nick the server refuses (ngircd allows 9 characters) is a clear error naming the key, not a timeout", async () => {
    const long = await waitForAccount(t.client, "irc", "long", (a) => !a.running && a.lastError !== null);
    expect(long.lastError).toMatch(/rejected the nick "pincerwithalongnick".*channels\.irc\.nick/);
  });

  it("pairs a stranger over DM, then answers", async () => {
    const alice = await user("alice");
    alice.say("pincer", "hi there");
    const [line] = await alice.heard.waitFor((h) => h.message.startsWith("Pairing code:"), 1, 15_000, "pairing code");
    const code = line!.message.split(": ")[1]!;
    expect(alice.heard.items.some((h) => h.message === "Your IRC nick: alice")).toBe(true);
    await t.client.call("channels.pairing.approve", { channel: "irc", code });
    alice.say("pincer", "and now?");
    await alice.heard.waitFor((h) => h.message === "echo: and now?", 1, 15_000, "answer");
  });

  it("answers in a channel only when addressed, and keeps lines within 350 characters", async () => {
    const bob = await user("bob");
    bob.client.join("#pincer");
    await bob.joins.waitFor((j) => j.nick === "bob" && j.channel === "#pincer");
    bob.say("#pincer", "just chatting");
    t.fake.enqueue({ text: `**Sure.** ${"word ".repeat(150)}\n\n- done` });
    bob.say("#pincer", "pincer: tell me a lot");
    const lines = await bob.heard.waitFor(
      (h) => h.target === "#pincer" && h.message === "• done",
      1,
      15_000,
      "last line",
    );
    const mine = bob.heard.items.filter((h) => h.target === "#pincer" && h.from === "pincer");
    expect(mine[0]!.message.startsWith("Sure. word")).toBe(true);
    expect(mine.length).toBeGreaterThanOrEqual(3);
    for (const l of mine) expect(Buffer.byteLength(l.message)).toBeLessThanOrEqual(350);
    expect(lines).toHaveLength(1);
    expect(t.fake.requests).toHaveLength(1);
    expect(t.fake.requests[0]!.lastUserText).toBe("tell me a lot");
  });

  it("reconnects and rejoins after the server goes away", async () => {
    await irc.stop();
    const down = await waitForAccount(t.client, "irc", "default", (a) => !a.connected);
    expect(down.lastError).toMatch(/closed the connection/);
    await irc.start();
    await waitForAccount(t.client, "irc", "default", (a) => a.connected && a.lastError === null, 30_000);
    const carol = await user("carol");
    carol.client.join("#pincer");
    await carol.joins.waitFor((j) => j.nick === "carol");
    // The bot is back in its channel and answers there.
    carol.say("#pincer", "pincer, are you back?");
    await carol.heard.waitFor(
      (h) => h.target === "#pincer" && h.message === "echo: are you back?",
      1,
      15_000,
      "answer",
    );
  });
});
