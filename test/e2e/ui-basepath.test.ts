import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PINCER_BIN, startTestGateway, type TestGateway } from "./harness.js";
import { launchTestBrowser, logIn, type TestBrowser } from "./ui-browser.js";

/**
 * The Control UI under gateway.controlUi.basePath, as behind a reverse proxy that forwards /pincer/…: the UI,
 * its pages and deep links live below the prefix in a real Chromium, the status page keeps `/`, the API and the
 * WebSocket stay at the root, a changed prefix applies on reload, and a bad prefix stops the gateway at start.
 */

const TOKEN = "basepath-test-token-0123456789";
const config = (basePath: string) => ({
  gateway: { auth: { mode: "token", token: TOKEN }, controlUi: { basePath } },
});

let gw: TestGateway;
let tb: TestBrowser;
let ctx: BrowserContext;
let page: Page;
/** Responses of 400 and above the page got (a wrong asset URL shows up here first). */
const failed: string[] = [];
const sockets: string[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ config: config("/pincer/"), token: TOKEN });
  tb = await launchTestBrowser();
  ctx = await tb.context();
  page = await ctx.newPage();
  page.on("response", (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
  });
  page.on("websocket", (ws) => sockets.push(ws.url()));
});

afterAll(async () => {
  await ctx?.close();
  await tb?.close();
  await gw?.cleanup();
});

const openStatus = (p: Page) => p.locator('[data-testid="connection-status"][data-phase="open"]');

describe("Control UI under basePath /pincer in Chromium", () => {
  it("logs in at /pincer/ with the WebSocket at the gateway root", async () => {
    await logIn(page, `${gw.httpUrl}/pincer/`, TOKEN);
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) expect(new URL(url).pathname).toBe("/");
    expect(await page.getByRole("link", { name: "Sessions" }).getAttribute("href")).toBe("/pincer/sessions");
    expect(await page.locator("a.brand").getAttribute("href")).toBe("/pincer/");
  });

  it("navigates to sessions, then reloads the deep link and the page still works", async () => {
    await page.getByRole("link", { name: "Sessions" }).click();
    await page.waitForURL(`${gw.httpUrl}/pincer/sessions`);
    await page.getByText("No sessions yet.").waitFor();
    await page.reload();
    await openStatus(page).waitFor();
    await page.getByRole("heading", { name: "Sessions" }).waitFor();
    await page.getByText("No sessions yet.").waitFor();
    // A trailing slash makes the page's folder deeper; the <base> the gateway writes keeps assets resolving.
    await page.goto(`${gw.httpUrl}/pincer/sessions/`);
    await page.getByText("No sessions yet.").waitFor();
    await page.getByRole("link", { name: "Chat" }).click();
    await page.waitForURL(`${gw.httpUrl}/pincer/`);
    await page.getByLabel("Message").waitFor();
    expect(failed).toEqual([]);
    expect(tb.errors).toEqual([]);
  });

  it("redirects /pincer to /pincer/", async () => {
    const res = await page.goto(`${gw.httpUrl}/pincer`);
    expect(res?.url()).toBe(`${gw.httpUrl}/pincer/`);
    await openStatus(page).waitFor();
  });

  it("shows the status page at / with a link to the UI", async () => {
    await page.goto(`${gw.httpUrl}/`);
    await page.getByRole("heading", { name: "Pincer gateway" }).waitFor();
    await page.getByRole("link", { name: "/pincer/", exact: true }).click();
    await page.waitForURL(`${gw.httpUrl}/pincer/`);
    await openStatus(page).waitFor();
  });

  it("keeps the API at the root and nothing of the UI there", async () => {
    expect((await fetch(`${gw.httpUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${gw.httpUrl}/health`)).status).toBe(200);
    expect((await fetch(`${gw.httpUrl}/pincer/health`)).status).toBe(404);
    expect((await fetch(`${gw.httpUrl}/sessions`)).status).toBe(404);
    expect((await fetch(`${gw.httpUrl}/pincer/webchat.js`)).status).toBe(200);
    expect(await (await fetch(`${gw.httpUrl}/pincer/chat`)).text()).toContain('<base href="/pincer/">');
  });

  it("moves the UI when the config's basePath changes, without a restart", async () => {
    const pid = gw.proc.pid;
    writeFileSync(join(gw.stateDir, "pincer.json"), JSON.stringify(config("/assistant")));
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${gw.httpUrl}/assistant/`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`basePath not reloaded:\n${gw.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(gw.proc.pid).toBe(pid);
    expect((await fetch(`${gw.httpUrl}/pincer/`)).status).toBe(404);
    await page.goto(`${gw.httpUrl}/assistant/sessions`);
    await openStatus(page).waitFor();
    await page.getByText("No sessions yet.").waitFor();
  });
});

describe("a bad basePath", () => {
  it("stops the gateway at start with a message naming gateway.controlUi.basePath", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pincer-basepath-"));
    try {
      writeFileSync(join(dir, "pincer.json"), JSON.stringify(config("/pincer/../admin")));
      const port = await freePort();
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
        (resolve) => {
          execFile(
            process.execPath,
            [PINCER_BIN, "gateway", "--port", String(port)],
            { env: { PATH: process.env.PATH, HOME: dir, PINCER_STATE_DIR: dir, NODE_ENV: "test" }, timeout: 15_000 },
            (err, out, errOut) =>
              resolve({
                code: err ? (typeof err.code === "number" ? err.code : null) : 0,
                stdout: out,
                stderr: errOut,
              }),
          );
        },
      );
      expect(code).toBe(1);
      expect(stdout).not.toContain("listening");
      expect(stderr).toContain("CONFIG_INVALID");
      expect(stderr).toContain('gateway.controlUi.basePath: must not contain "." or ".." segments');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
