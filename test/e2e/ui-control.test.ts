import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { BrowserContext, Page, WebSocket as PwSocket } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type FakeTelegram, startFakeTelegram } from "../fixtures/fake-platforms/telegram.js";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { launchTestBrowser, logIn, type TestBrowser } from "./ui-browser.js";

/**
 * The Control UI in a real Chromium against a real gateway process and the fake LLM: login, streaming chat,
 * stop, reconnect across a gateway restart, config editing, the other pages, the phone layout and WebChat.
 * One gateway, one browser and one logged-in context are shared; tests run in file order.
 */

const TOKEN = "ui-test-token-0123456789";
const BOT_TOKEN = "4242:ui-test-bot";
/** Evaluated in the page: how far the document is wider than the viewport (0 or less = no sideways scroll). */
const OVERFLOW_X = "document.documentElement.scrollWidth - window.innerWidth";

let t: AgentGateway;
let tg: FakeTelegram;
let tb: TestBrowser;
let ctx: BrowserContext;
let page: Page;
let host: Server;
let hostOrigin: string;

const status = (p: Page) => p.locator('[data-testid="connection-status"]');
const assistantBubbles = (p: Page) => p.locator('[data-testid="msg-assistant"]');
const userBubbles = (p: Page) => p.locator('[data-testid="msg-user"]');

async function send(p: Page, text: string): Promise<void> {
  await p.getByLabel("Message").fill(text);
  await p.getByLabel("Message").press("Enter");
}

beforeAll(async () => {
  // A plain web page on another origin that embeds the WebChat widget.
  host = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(
      `<!doctype html><title>shop</title><h1>A shop</h1><script src="${t.gw.httpUrl}/webchat.js" defer></script>`,
    );
  });
  await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
  hostOrigin = `http://localhost:${(host.address() as AddressInfo).port}`;
  // A Telegram bot on the fake Bot API, with the default DM policy (pairing): strangers get a code to approve.
  tg = await startFakeTelegram();
  tg.addBot(BOT_TOKEN, "pincer_ui_bot");
  t = await startAgentGateway(
    (fake) => ({
      ...fakeConfig(fake),
      gateway: { auth: { mode: "token", token: TOKEN }, controlUi: { allowedOrigins: [hostOrigin] } },
      channels: { telegram: { apiRoot: tg.apiRoot, botToken: BOT_TOKEN, pollTimeoutSeconds: 1 } },
    }),
    { token: TOKEN },
  );
  tb = await launchTestBrowser();
  ctx = await tb.context();
  page = await ctx.newPage();
});

afterAll(async () => {
  await ctx?.close();
  await tb?.close();
  await t?.close();
  await tg?.close();
  await new Promise((r) => host?.close(r));
});

describe("Control UI in Chromium", () => {
  it("asks for the token, logs in, keeps it in localStorage and sends it only in the connect frame", async () => {
    const sockets: PwSocket[] = [];
    const sent: string[] = [];
    page.on("websocket", (ws) => {
      sockets.push(ws);
      ws.on("framesent", (f) => sent.push(String(f.payload)));
    });
    await page.goto(t.gw.httpUrl);
    await expect.poll(() => page.getByTestId("login-message").textContent()).toContain("needs a token");
    await tb.screenshot(page, "desktop-login");
    await logIn(page, t.gw.httpUrl, TOKEN);
    expect(await page.evaluate("localStorage.getItem('pincer.gateway.secret')")).toBe(TOKEN);
    expect(page.url()).not.toContain(TOKEN);
    for (const ws of sockets) expect(ws.url()).not.toContain(TOKEN);
    const withToken = sent.filter((f) => f.includes(TOKEN));
    expect(withToken.length).toBeGreaterThan(0);
    for (const f of withToken) expect(JSON.parse(f).method).toBe("connect");
    // A reload logs in from storage without asking again.
    await page.reload();
    await page.locator('[data-testid="connection-status"][data-phase="open"]').waitFor();
  });

  it("streams a reply as it is written and renders its Markdown", async () => {
    t.fake.enqueue({
      text: "Here is **bold** text and code:\n\n```js\nconsole.log(1)\n```\n\n- one\n- two\n\nThe end of the streamed reply.",
      chunkDelayMs: 60,
    });
    await send(page, "show me markdown");
    await page.locator('[data-testid="msg-assistant"][data-streaming="true"]').waitFor();
    const partial = await assistantBubbles(page).last().textContent();
    expect(partial?.includes("The end of the streamed reply.")).toBe(false);
    await page.locator('[data-testid="msg-assistant"][data-streaming="false"]', { hasText: "The end" }).waitFor();
    const last = assistantBubbles(page).last();
    expect(await last.locator("strong").textContent()).toBe("bold");
    expect(await last.locator("pre code").textContent()).toBe("console.log(1)");
    expect(await last.locator("li").count()).toBe(2);
    await expect.poll(() => userBubbles(page).filter({ hasText: "show me markdown" }).count()).toBe(1);
    await tb.screenshot(page, "desktop-chat");
  });

  it("shows a tool call folded, with its arguments and result inside", async () => {
    t.fake.enqueue({ toolCalls: [{ name: "session_status", args: {} }] }, { text: "Status checked." });
    await send(page, "check your status");
    await page.locator('[data-testid="msg-assistant"]', { hasText: "Status checked." }).waitFor();
    const tool = page.getByTestId("tool-call").last();
    expect(await tool.getAttribute("open")).toBeNull();
    expect(await tool.locator("summary").textContent()).toContain("session_status");
    await tool.locator("summary").click();
    await expect.poll(() => tool.locator("pre").count()).toBeGreaterThan(0);
  });

  it("stops a reply with the Stop button", async () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ");
    t.fake.enqueue({ text: long, chunkDelayMs: 40 });
    await send(page, "tell me a long story");
    await page.locator('[data-testid="msg-assistant"][data-streaming="true"]').waitFor();
    await page.getByTestId("stop").click();
    await page.getByTestId("chat-notice").filter({ hasText: "Reply stopped." }).waitFor();
    await page.getByTestId("send").waitFor();
    await expect.poll(() => page.locator('[data-streaming="true"]').count()).toBe(0);
    const history = await t.client.call<{ messages: Array<{ role: string; stopReason?: string }> }>("chat.history", {
      sessionKey: "main",
    });
    expect(history.messages.at(-1)?.stopReason).toBe("aborted");
  });

  it("renders HTML and script in messages as inert text", async () => {
    const evil = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>[x](javascript:window.__pwned=3)`;
    await send(page, evil);
    await page.locator('[data-testid="msg-assistant"]', { hasText: "echo: <img" }).waitFor();
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    const messages = page.getByTestId("messages");
    expect(await messages.locator("img, script").count()).toBe(0);
    expect(await messages.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await userBubbles(page).last().textContent()).toContain("<script>window.__pwned=2</script>");
  });

  it("shows a 1 MB reply in full without freezing the page", async () => {
    // 16 space-separated 64 KiB words: the fake streams one chunk per word.
    const word = (i: number) => `${String.fromCharCode(65 + i)}${"x".repeat(65_534)}`;
    const big = Array.from({ length: 16 }, (_, i) => word(i)).join(" ");
    t.fake.enqueue({ text: `MEGA-START${big}MEGA-END` });
    await send(page, "send me a megabyte");
    const bubble = page.locator('[data-testid="msg-assistant"][data-streaming="false"]', { hasText: "MEGA-END" });
    await bubble.waitFor({ timeout: 20_000 });
    expect(await bubble.getByTestId("plain-text").count()).toBe(1);
    const length = await bubble.evaluate((el) => el.textContent?.length ?? 0);
    expect(length).toBeGreaterThan(1_048_000);
    // Still responsive: the composer takes input.
    await page.getByLabel("Message").fill("still here");
    expect(await page.getByLabel("Message").inputValue()).toBe("still here");
    await page.getByLabel("Message").fill("");
  });

  it("survives a gateway restart mid-reply: reconnects, loses and duplicates nothing", async () => {
    const slow = Array.from({ length: 100 }, (_, i) => `slow${i}`).join(" ");
    t.fake.enqueue({ text: slow, chunkDelayMs: 50 });
    await send(page, "before the restart");
    await page.locator('[data-testid="msg-assistant"][data-streaming="true"]', { hasText: "slow1" }).waitFor();
    await t.gw.kill("SIGKILL");
    await status(page).and(page.locator('[data-phase="retrying"], [data-phase="connecting"]')).waitFor();
    // Sent while the gateway is down: kept, then delivered once after the reconnect.
    await send(page, "sent while down");
    await page.locator('[data-testid="msg-user"][data-pending="sending"]', { hasText: "sent while down" }).waitFor();
    await t.gw.restart();
    await page.locator('[data-testid="connection-status"][data-phase="open"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="msg-assistant"]', { hasText: "echo: sent while down" }).waitFor();
    await expect.poll(() => page.getByTestId("chat-notice").count()).toBeGreaterThanOrEqual(0);
    await expect.poll(() => userBubbles(page).filter({ hasText: "before the restart" }).count()).toBe(1);
    await expect.poll(() => userBubbles(page).filter({ hasText: "sent while down" }).count()).toBe(1);
    await expect.poll(() => page.locator("[data-pending]").count()).toBe(0);
    await expect.poll(() => page.locator('[data-streaming="true"]').count()).toBe(0);
    await t.reconnect();
    const history = await t.client.call<{ messages: Array<{ role: string; content: unknown }> }>("chat.history", {
      sessionKey: "main",
    });
    const userTexts = history.messages.filter((m) => m.role === "user").map((m) => JSON.stringify(m.content));
    expect(userTexts.filter((x) => x.includes("sent while down"))).toHaveLength(1);
  });

  it("lists sessions and shows a session's history", async () => {
    await t.client.call("chat.send", {
      sessionKey: "side-topic",
      message: "a side question",
      idempotencyKey: "side-1",
    });
    await page.getByRole("link", { name: "Sessions" }).click();
    await page.getByTestId("sessions").getByText("agent:main:side-topic").click();
    await page.getByTestId("session-history").getByText("a side question", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Continue in chat" }).click();
    await page.getByTestId("session-key").filter({ hasText: "agent:main:side-topic" }).waitFor();
    await page.locator('[data-testid="msg-user"]', { hasText: "a side question" }).waitFor();
  });

  it("charts usage and cost per day", async () => {
    await page.getByRole("link", { name: "Usage" }).click();
    const chart = page.getByTestId("usage-chart");
    await chart.waitFor();
    expect(await chart.locator("rect.bar").count()).toBe(30);
    expect(await page.getByTestId("usage-total-cost").textContent()).toMatch(/^\$\d+\.\d+$/);
    await tb.screenshot(page, "desktop-usage");
  });

  it("validates config as you type and applies a valid edit with config.patch", async () => {
    await page.getByRole("link", { name: "Config" }).click();
    const editor = page.getByTestId("config-editor");
    await editor.waitFor();
    const original = await editor.inputValue();
    const doc = JSON.parse(original);
    await editor.fill(JSON.stringify({ ...doc, gateway: { ...doc.gateway, port: "http" } }, null, 2));
    await page.getByTestId("config-validation").getByText('must be a whole number, not the text "http"').waitFor();
    expect(await page.getByTestId("config-apply").isDisabled()).toBe(true);
    await tb.screenshot(page, "desktop-config-error");
    await editor.fill(`${original.slice(0, -2)}`);
    await page
      .getByTestId("config-validation")
      .getByText(/Not valid JSON/)
      .waitFor();

    const allowed = [hostOrigin, "https://docs.example"];
    const next = {
      ...doc,
      gateway: { ...doc.gateway, controlUi: { ...doc.gateway.controlUi, allowedOrigins: allowed } },
    };
    await editor.fill(JSON.stringify(next, null, 2));
    await page.getByText("Valid. Ready to apply.").waitFor();
    await page.getByTestId("config-apply").click();
    await page.getByTestId("config-outcome").filter({ hasText: "Saved" }).waitFor();
    const onDisk = JSON.parse(readFileSync(join(t.gw.stateDir, "pincer.json"), "utf8"));
    expect(onDisk.gateway.controlUi.allowedOrigins).toEqual(allowed);
    expect(onDisk.gateway.auth.token).toBe(TOKEN);
  });

  it("refuses to overwrite a config changed on disk since it was loaded (baseHash)", async () => {
    const editor = page.getByTestId("config-editor");
    await editor.waitFor();
    const doc = JSON.parse(await editor.inputValue());
    const file = join(t.gw.stateDir, "pincer.json");
    const onDisk = JSON.parse(readFileSync(file, "utf8"));
    onDisk.logging = { ...onDisk.logging, level: "debug" };
    writeFileSync(file, JSON.stringify(onDisk, null, 2));
    await editor.fill(JSON.stringify({ ...doc, session: { ...doc.session, mainKey: "main" } }, null, 2));
    await page.getByTestId("config-apply").click();
    await page.getByTestId("config-outcome").filter({ hasText: "changed since it was loaded" }).waitFor();
    const after = JSON.parse(readFileSync(file, "utf8"));
    expect(after.logging.level).toBe("debug");
  });

  it("shows channel status from channels.status", async () => {
    await page.getByRole("link", { name: "Channels" }).click();
    const card = page.locator(".card", { hasText: "Telegram" });
    await card.waitFor();
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        return card.textContent();
      })
      .toContain("connected");
  });

  it("approves a pairing request: the sender can talk afterwards", async () => {
    const sender = 7001;
    const dm = (text: string) =>
      tg.pushMessage(BOT_TOKEN, {
        chat: { id: sender, type: "private" },
        from: { id: sender, first_name: "Ada" },
        text,
      });
    dm("hello bot");
    await expect
      .poll(
        () =>
          tg
            .sent(BOT_TOKEN, sender)
            .map((c) => String(c.params.text))
            .join("\n"),
        { timeout: 15_000 },
      )
      .toContain("Pairing code:");
    const code = /Pairing code: ([A-Z0-9]{8})/.exec(String(tg.sent(BOT_TOKEN, sender)[0]?.params.text))?.[1];
    await page.getByRole("link", { name: "Pairing" }).click();
    await page.getByRole("button", { name: "Refresh" }).click();
    const row = page.getByTestId("pairing-requests").locator("li", { hasText: code ?? "?" });
    await row.waitFor();
    await tb.screenshot(page, "desktop-pairing");
    await row.getByRole("button", { name: "Approve" }).click();
    await page.getByText(/^Approved /).waitFor();
    await page.getByText("Nobody is waiting for approval.").waitFor();
    dm("now?");
    await expect
      .poll(
        () =>
          tg
            .sent(BOT_TOKEN, sender)
            .map((c) => String(c.params.text))
            .join("\n"),
        { timeout: 15_000 },
      )
      .toContain("echo: now?");
  });

  it("lists the gateway's cron jobs and shows a new one when the cron event arrives", async () => {
    await page.getByRole("link", { name: "Cron" }).click();
    await page.getByText("No scheduled jobs.").waitFor();
    await t.client.call("cron.add", {
      name: "weekday calendar",
      schedule: { kind: "cron", expr: "0 8 * * 1-5", tz: "Europe/Berlin" },
      payload: { kind: "agentTurn", message: "Summarize my calendar" },
    });
    await page.getByText("weekday calendar").waitFor();
    expect(await page.locator("table").textContent()).toContain("cron 0 8 * * 1-5 (Europe/Berlin)");
  });

  it("tails the gateway log live", async () => {
    await page.getByRole("link", { name: "Logs" }).click();
    await page.getByTestId("log-lines").getByText("client connected").first().waitFor();
    await t.client.call("sessions.list", {});
    const before = await page.getByTestId("log-lines").locator(".log").count();
    await t.reconnect();
    await expect
      .poll(() => page.getByTestId("log-lines").locator(".log").count(), { timeout: 10_000 })
      .toBeGreaterThan(before);
  });

  it("fits a 390×844 phone screen", async () => {
    const phone = await ctx.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(t.gw.httpUrl);
    await phone.locator('[data-testid="connection-status"][data-phase="open"]').waitFor();
    await phone.getByTestId("messages").locator('[data-testid="msg-user"]').first().waitFor();
    const overflow = await phone.evaluate(OVERFLOW_X);
    expect(overflow).toBeLessThanOrEqual(0);
    const composer = await phone.getByLabel("Message").boundingBox();
    expect(composer && composer.y + composer.height).toBeLessThanOrEqual(844);
    expect(composer && composer.x + composer.width).toBeLessThanOrEqual(390);
    await tb.screenshot(phone, "phone-chat");
    for (const name of ["Usage", "Config"]) {
      await phone.getByRole("link", { name }).click();
      await phone.waitForTimeout(300);
      expect(await phone.evaluate(OVERFLOW_X)).toBeLessThanOrEqual(0);
      await tb.screenshot(phone, `phone-${name.toLowerCase()}`);
    }
    await phone.close();
  });

  it("ran without console errors or CSP violations", () => {
    // The restart test makes Chromium log the failed reconnect attempts; nothing else may appear.
    const unexpected = tb.errors.filter((e) => !/WebSocket connection to .* failed/.test(e));
    expect(unexpected).toEqual([]);
  });
});

describe("wrong token", () => {
  it("shows a clear message and does not retry", async () => {
    const fresh = await tb.context();
    const p = await fresh.newPage();
    let sockets = 0;
    p.on("websocket", () => {
      sockets += 1;
    });
    await p.goto(t.gw.httpUrl);
    await p.getByLabel("Gateway token or password").fill("not-the-token");
    await p.getByRole("button", { name: "Connect" }).click();
    await expect.poll(() => p.getByTestId("login-message").textContent()).toContain("refused this token");
    const afterRefusal = sockets;
    await p.waitForTimeout(2_000);
    expect(sockets).toBe(afterRefusal);
    expect(sockets).toBe(2); // the first try without a token, then the one with the wrong token
    await tb.screenshot(p, "wrong-token");
    await fresh.close();
  });

  it("refuses a WebSocket from a foreign origin", async () => {
    const ws = new WebSocket(t.gw.url, { origin: "https://evil.example" });
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({ code: 1008, reason: "origin not allowed" });
  });
});

describe("WebChat", () => {
  it("chats on /chat", async () => {
    const p = await ctx.newPage();
    await p.setViewportSize({ width: 420, height: 700 });
    await p.goto(`${t.gw.httpUrl}/chat`);
    await p.locator('[data-testid="connection-status"][data-phase="open"]').waitFor();
    await send(p, "hello from webchat");
    await p.locator('[data-testid="msg-assistant"]', { hasText: "echo: hello from webchat" }).waitFor();
    await tb.screenshot(p, "webchat-page");
    await p.close();
  });

  it("embeds with /webchat.js on another site's page", async () => {
    const p = await ctx.newPage();
    await p.goto(hostOrigin);
    await p.getByRole("button", { name: "Chat" }).click();
    const frame = p.frameLocator(`iframe[src="${t.gw.httpUrl}/chat"]`);
    // The frame is a third-party context with its own storage: the visitor logs in there once.
    await frame.getByLabel("Gateway token or password").fill(TOKEN);
    await frame.getByRole("button", { name: "Connect" }).click();
    await frame.locator('[data-testid="connection-status"][data-phase="open"]').waitFor();
    await frame.getByLabel("Message").fill("hello from the shop");
    await frame.getByLabel("Message").press("Enter");
    await frame.locator('[data-testid="msg-assistant"]', { hasText: "echo: hello from the shop" }).waitFor();
    await tb.screenshot(p, "webchat-embedded");
    await p.close();
  });
});
