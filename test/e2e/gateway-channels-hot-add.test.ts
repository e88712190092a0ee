import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnyStatus, waitForAccount } from "../fixtures/fake-platforms/channel-gateway.js";
import { type FakeTelegram, startFakeTelegram } from "../fixtures/fake-platforms/telegram.js";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";

/**
 * A gateway started with no channels loads no channel code; adding the first channel with `config.patch`
 * starts it without a restart, and the new account answers.
 */

const TOKEN = "777:hot";
let tg: FakeTelegram;
let t: AgentGateway;

beforeAll(async () => {
  tg = await startFakeTelegram();
  tg.addBot(TOKEN, "pincer_hot_bot");
  t = await startAgentGateway((fake) => fakeConfig(fake));
});
afterAll(async () => {
  await t?.close();
  await tg?.close();
});

describe("channels added by hot reload", () => {
  it("a gateway without channels reports none", async () => {
    const status = await t.client.call<AnyStatus>("channels.status", {});
    expect(Object.keys(status.channelAccounts ?? {})).toEqual([]);
  });

  it("the first channel added by config.patch starts and answers, without a restart", async () => {
    await t.client.call("config.patch", {
      raw: JSON.stringify({
        channels: { telegram: { apiRoot: tg.apiRoot, pollTimeoutSeconds: 5, botToken: TOKEN, dmPolicy: "open" } },
      }),
    });
    const account = await waitForAccount(t.client, "telegram", "default", (a) => a.connected);
    expect(account).toMatchObject({ configured: true, running: true, lastError: null });
    tg.pushMessage(TOKEN, {
      chat: { id: 4242, type: "private" },
      from: { id: 4242, first_name: "Hot", username: "hot" },
      text: "hello after reload",
    });
    const [reply] = await tg.calls.waitFor(
      (c) => c.method === "sendMessage" && String(c.params.chat_id) === "4242" && c.status === 200,
      1,
      15_000,
      "a reply to the message sent after the reload",
    );
    expect(String(reply!.params.text)).toContain("hello after reload");
    const health = await t.client.call<AnyStatus>("health");
    expect(health.channelOrder).toEqual(["telegram"]);
  });
});
