import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { answerPrompt, startChannelGateway, waitForAccount } from "../fixtures/fake-platforms/channel-gateway.js";
import { type FakeSaslIrc, startFakeSaslIrc } from "../fixtures/fake-platforms/irc-sasl.js";
import type { AgentGateway } from "./agent-gateway.js";

/**
 * IRC SASL and IRC media end to end: irc-framework inside the gateway against a scripted IRC server that speaks
 * CAP/SASL PLAIN (ngircd has no SASL), the fake LLM answering.
 */

let irc: FakeSaslIrc;
let t: AgentGateway;

beforeAll(async () => {
  irc = await startFakeSaslIrc({ pincer: "sasl-secret" });
  t = await startChannelGateway(() => ({
    irc: {
      host: irc.host,
      port: irc.port,
      dmPolicy: "open",
      accounts: {
        default: { nick: "pincer", sasl: { account: "pincer", password: "sasl-secret" }, channels: ["#pincer"] },
        badsasl: { nick: "badbot", sasl: { account: "pincer", password: "wrong" } },
      },
    },
  }));
  await waitForAccount(t.client, "irc", "default", (a) => a.connected);
});
afterAll(async () => {
  if (process.env.DEBUG_CHANNELS) console.log(t?.gw.output());
  await t?.close();
  await irc?.close();
});
beforeEach(() => {
  t.fake.reset();
});

/** Waits for the bot to say `text` to `to` (a one-word trailing parameter may come without its colon). */
const said = (to: string, text: string) =>
  irc.lines.waitFor(
    (l) => l === `PRIVMSG ${to} :${text}` || l === `PRIVMSG ${to} ${text}`,
    1,
    15_000,
    `PRIVMSG ${to} :${text}`,
  );

describe("IRC SASL", () => {
  it("logs in with sasl {account, password} over AUTHENTICATE PLAIN before registering", async () => {
    const [ok] = await irc.attempts.waitFor((a) => a.ok);
    expect(ok).toEqual({ authzid: "pincer", account: "pincer", ok: true });
    const sent = irc.lines.items;
    const order = ["CAP LS 302", "CAP REQ :", "AUTHENTICATE PLAIN", "CAP END"].map((p) =>
      sent.findIndex((l) => l.startsWith(p)),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(sent.find((l) => l.startsWith("CAP REQ :"))).toContain("sasl");
    expect(irc.registered.items).toContain("pincer");
    await irc.lines.waitFor((l) => l === "JOIN #pincer");
  });

  it("shows a SASL failure (904) as the account's last error, stops only that account, keeps the gateway up", async () => {
    const bad = await waitForAccount(t.client, "irc", "badsasl", (a) => !a.running && a.lastError !== null);
    expect(bad.lastError).toMatch(/IRC SASL login failed \(fail\): check channels.irc.sasl/);
    expect(bad.connected).toBe(false);
    expect(irc.attempts.items).toContainEqual({ authzid: "pincer", account: "pincer", ok: false });
    const health = await t.client.call<{ ok: boolean }>("health");
    expect(health.ok).toBe(true);
    const good = await waitForAccount(t.client, "irc", "default", (a) => a.connected);
    expect(good.lastError).toBeNull();
    irc.privmsg("alice", "pincer", "still here?");
    await said("alice", "echo: still here?");
  });
});

describe("IRC media out", () => {
  it("sends an https attachment as a link after the text", async () => {
    answerPrompt(t.fake, "picture please", "A picture.\nMEDIA:https://img.example.com/cat.png");
    irc.privmsg("bob", "pincer", "picture please");
    await said("bob", "A picture.");
    await said("bob", "https://img.example.com/cat.png");
  });

  it("refuses a local file with a clear reason, the text still delivered", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "pincer-irc-media-")), "report.pdf");
    writeFileSync(file, "%PDF-1.4");
    answerPrompt(t.fake, "file please", `Your file.\nMEDIA:${file}`);
    irc.privmsg("carol", "pincer", "file please");
    await said("carol", "Your file.");
    await said("carol", "(attachment not sent: IRC cannot send files (report.pdf): share an https link to it instead)");
  });
});
