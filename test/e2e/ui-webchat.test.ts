import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { launchTestBrowser, type TestBrowser } from "./ui-browser.js";

/**
 * The WebChat page in a real Chromium as a visitor of the owner's site: no operator token anywhere in the
 * browser, a visitor identity from the gateway, the greeting, a streamed reply under dmPolicy "open", and the
 * pairing code under "pairing".
 */

const TOKEN = "ui-webchat-operator-token-0123456789";
const GREETING = "Welcome to the shop! How can I help?";

let t: AgentGateway;
let tb: TestBrowser;
const contexts: BrowserContext[] = [];

async function freshContext(): Promise<BrowserContext> {
  const ctx = await tb.context({ width: 420, height: 700 });
  contexts.push(ctx);
  return ctx;
}

async function setWebchat(webchat: Record<string, unknown>): Promise<void> {
  const { hash } = await t.client.call<{ hash: string }>("config.get");
  await t.client.call("config.patch", { raw: JSON.stringify({ channels: { webchat } }), baseHash: hash });
}

beforeAll(async () => {
  t = await startAgentGateway(
    (fake) => ({
      ...fakeConfig(fake),
      gateway: { auth: { mode: "token", token: TOKEN } },
      channels: { webchat: { dmPolicy: "open", greeting: GREETING } },
    }),
    { token: TOKEN },
  );
  tb = await launchTestBrowser();
});

afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
  await tb?.close();
  await t?.close();
});

describe("WebChat as a visitor in Chromium", () => {
  it("opens /chat without a token, shows the greeting and streams the reply", async () => {
    const ctx = await freshContext();
    const page = await ctx.newPage();
    const sent: string[] = [];
    page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
    // A slow stream, so the reply is seen while it is being written.
    t.fake.enqueue({ text: "Hello visitor, our shop opens at nine every morning.", chunkDelayMs: 60 });

    await page.goto(`${t.gw.httpUrl}/chat`);
    await page.getByTestId("chat-greeting").filter({ hasText: GREETING }).waitFor();
    await page.locator('[data-testid="connection-status"][data-phase="open"]').waitFor();
    await page.getByLabel("Message").fill("when do you open?");
    await page.getByLabel("Message").press("Enter");
    await page.locator('[data-testid="msg-assistant"][data-streaming="true"]').waitFor();
    await page
      .locator('[data-testid="msg-assistant"][data-streaming="false"]', {
        hasText: "Hello visitor, our shop opens at nine every morning.",
      })
      .waitFor();
    await tb.screenshot(page, "webchat-visitor");

    // The visitor connected with its own identity; the operator token is nowhere in the browser.
    const connect = sent.map((s) => JSON.parse(s)).find((f) => f.method === "connect");
    expect(connect.params.client.mode).toBe("webchat");
    expect(connect.params.auth).toEqual({ visitorId: expect.any(String), visitorToken: expect.any(String) });
    expect(sent.join("\n")).not.toContain(TOKEN);
    const stored = (await page.evaluate("JSON.parse(JSON.stringify({ ...localStorage }))")) as Record<string, string>;
    expect(Object.keys(stored)).toEqual(["pincer.webchat.visitor"]);
    expect(JSON.stringify(stored)).not.toContain(TOKEN);

    // The conversation is the visitor's own webchat session.
    const visitorId = JSON.parse(stored["pincer.webchat.visitor"] ?? "{}").visitorId as string;
    const history = await t.client.call<{ messages: { role: string }[] }>("chat.history", {
      sessionKey: `agent:main:webchat:direct:${visitorId}`,
    });
    expect(history.messages.map((m) => m.role)).toEqual(["user", "assistant"]);

    // A reload finds the same identity and the same conversation.
    await page.reload();
    await page.locator('[data-testid="msg-user"]', { hasText: "when do you open?" }).waitFor();
    expect(tb.errors).toEqual([]);
  });

  it("shows the pairing code when the owner must approve, then talks once approved", async () => {
    await setWebchat({ dmPolicy: "pairing" });
    try {
      const ctx = await freshContext();
      const page = await ctx.newPage();
      await page.goto(`${t.gw.httpUrl}/chat`);
      await page.locator('[data-testid="connection-status"][data-phase="open"]').waitFor();
      await page.getByLabel("Message").fill("hello?");
      await page.getByLabel("Message").press("Enter");
      const notice = page.getByTestId("chat-notice").filter({ hasText: "Pairing code:" });
      await notice.waitFor();
      const code = /Pairing code: ([A-Z2-9]{8})/.exec((await notice.textContent()) ?? "")?.[1];
      expect(code).toBeDefined();
      await tb.screenshot(page, "webchat-visitor-pairing");

      await t.client.call("channels.pairing.approve", { channel: "webchat", code });
      await page.getByLabel("Message").fill("approved now");
      await page.getByLabel("Message").press("Enter");
      await page.locator('[data-testid="msg-assistant"]', { hasText: "echo: approved now" }).waitFor();
    } finally {
      await setWebchat({ dmPolicy: "open" });
    }
  });
});
