import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "./harness.js";

/**
 * Debian's Chromium driven by playwright-core for the Control UI tests (.ci/run installs it with apt; never
 * `playwright install`, which downloads a browser). Screenshots land in test-artifacts/ui/.
 */

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const ARTIFACTS_DIR = join(REPO_ROOT, "test-artifacts", "ui");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (own localStorage) with the given viewport; console errors are collected. */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  /** Console errors and uncaught page errors seen so far, CSP violations included. */
  errors: string[];
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchTestBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`,
    );
  }
  if (!existsSync(join(REPO_ROOT, "dist/ui/index.html"))) {
    throw new Error("dist/ui is missing: run `npm run build` (it builds the UI with Vite)");
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  // launch() gives every run a fresh temporary user-data-dir and removes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const errors: string[] = [];
  return {
    browser,
    errors,
    async context(viewport = { width: 1280, height: 800 }) {
      const ctx = await browser.newContext({ viewport });
      // Shorter than the test timeout so a stuck step fails with the locator it waited for.
      ctx.setDefaultTimeout(10_000);
      ctx.on("page", (page) => {
        page.on("console", (msg) => {
          if (msg.type() === "error") errors.push(msg.text());
        });
        page.on("pageerror", (err) => errors.push(err.message));
      });
      return ctx;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: false });
    },
    async close() {
      await browser.close();
    },
  };
}

/** Logs in through the login panel (the token is typed, as a person would). */
export async function logIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel("Gateway token or password").fill(token);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.locator('[data-testid="connection-status"][data-phase="open"]').waitFor();
}
