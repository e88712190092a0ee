import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { PincerError } from "../../errors.js";
import { type BrowserConfig, findChromium } from "./browser-config.js";

/** Flags for a headless Chromium on a server: no GPU, no background traffic, no first-run UI. */
const CHROMIUM_ARGS = [
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--no-default-browser-check",
];

interface ProfileState {
  context: BrowserContext;
  tabs: Map<string, Page>;
  current: string | undefined;
  nextTab: number;
}

/**
 * The agent's browser: one persistent Chromium context per profile (its own user-data dir under
 * <stateDir>/browser/<profile>, so logins survive restarts), tabs with short ids, playwright-core loaded and
 * Chromium started only when a browser action first needs them.
 */
export class BrowserManager {
  private readonly profiles = new Map<string, Promise<ProfileState>>();

  constructor(private readonly stateDir: string) {}

  profileNames(config: BrowserConfig): string[] {
    return [...new Set([config.defaultProfile, ...Object.keys(config.profiles), ...this.profiles.keys()])];
  }

  running(profile: string): boolean {
    return this.profiles.has(profile);
  }

  async profile(config: BrowserConfig, name: string): Promise<ProfileState> {
    let state = this.profiles.get(name);
    if (!state) {
      state = this.launch(config, name);
      state.catch(() => this.profiles.delete(name));
      this.profiles.set(name, state);
    }
    return state;
  }

  private async launch(config: BrowserConfig, name: string): Promise<ProfileState> {
    const profileCfg = config.profiles[name];
    const executablePath = findChromium(profileCfg?.executablePath ?? config.executablePath);
    if (!executablePath) {
      throw new PincerError(
        "UNAVAILABLE",
        "no Chromium found: apt-get install chromium, or set browser.executablePath to a Chromium-based browser",
      );
    }
    const { chromium } = await import("playwright-core");
    const noSandbox = config.noSandbox ?? process.getuid?.() === 0;
    const context = await chromium.launchPersistentContext(join(this.stateDir, "browser", name), {
      executablePath,
      headless: profileCfg?.headless ?? config.headless,
      args: [...CHROMIUM_ARGS, ...(noSandbox ? ["--no-sandbox"] : [])],
      timeout: config.timeoutMs,
    });
    context.setDefaultTimeout(config.timeoutMs);
    const state: ProfileState = { context, tabs: new Map(), current: undefined, nextTab: 1 };
    for (const page of context.pages()) this.track(state, page);
    context.on("page", (page) => this.track(state, page));
    context.on("close", () => this.profiles.delete(name));
    return state;
  }

  private track(state: ProfileState, page: Page): string {
    for (const [id, p] of state.tabs) if (p === page) return id;
    const id = `t${state.nextTab++}`;
    state.tabs.set(id, page);
    state.current = id;
    page.on("close", () => {
      state.tabs.delete(id);
      if (state.current === id) state.current = [...state.tabs.keys()].at(-1);
    });
    return id;
  }

  async newTab(state: ProfileState): Promise<{ id: string; page: Page }> {
    // A fresh persistent context opens with one blank tab: use it rather than leave it lying around.
    const blank = [...state.tabs].find(([, p]) => p.url() === "about:blank");
    if (blank) {
      state.current = blank[0];
      return { id: blank[0], page: blank[1] };
    }
    const page = await state.context.newPage();
    return { id: this.track(state, page), page };
  }

  tab(state: ProfileState, tabId: string | undefined): { id: string; page: Page } {
    const id = tabId ?? state.current;
    const page = id ? state.tabs.get(id) : undefined;
    if (!id || !page) {
      throw new PincerError(
        "NOT_FOUND",
        tabId ? `no tab ${tabId}; the tabs action lists open tabs` : "no tab is open; use the open action first",
      );
    }
    state.current = id;
    return { id, page };
  }

  async stop(profile: string): Promise<boolean> {
    const state = this.profiles.get(profile);
    if (!state) return false;
    this.profiles.delete(profile);
    await (await state.catch(() => undefined))?.context.close().catch(() => undefined);
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.profiles.keys()].map((p) => this.stop(p)));
  }
}
