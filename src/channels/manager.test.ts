import { mkdtempSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { PincerConfigSchema } from "../config/schema.js";
import { PincerError } from "../errors.js";
import { PairingStore } from "./access/pairing-store.js";
import { accountConfigAdapter } from "./accounts.js";
import type { AgentPort, AgentRunHandle, AgentRunOutcome } from "./agent-port.js";
import type { CommonAccountConfig } from "./config-schema.js";
import type { InboundMessage, OutboundTarget } from "./envelope.js";
import { ChannelManager } from "./manager.js";
import type { AccountStartContext, ChannelPlugin, OutboundMedia } from "./plugin.js";
import { ChannelRegistry } from "./registry.js";

/**
 * The manager with an in-process channel (a loopback "platform" the test drives) and an agent that answers
 * "echo: <text>". Restart delays are shrunk to 1 ms so the test waits on events, never on the clock.
 */

type TestAccount = CommonAccountConfig & { token?: string };

class LoopbackPlatform {
  starts = 0;
  /** What each start does: throw an error, or connect. */
  script: (Error | "connect")[] = [];
  sent: { target: OutboundTarget; text: string }[] = [];
  media: OutboundMedia[] = [];
  ctx?: AccountStartContext<TestAccount>;
  failSend: Error[] = [];
  private closeCurrent?: (err?: Error) => void;
  private waiters: (() => void)[] = [];

  readonly plugin: ChannelPlugin<TestAccount> = {
    id: "loop",
    meta: { label: "Loop", detailLabel: "Loopback", order: 1 },
    capabilities: {
      chatTypes: ["direct", "group"],
      threads: false,
      media: false,
      typing: false,
      reactions: false,
      edit: false,
      delete: false,
    },
    config: accountConfigAdapter<TestAccount>({
      channel: "loop",
      schema: z.looseObject({ token: z.string().optional() }),
      credentialKeys: ["token"],
      missing: (cfg, path) => (cfg.token ? undefined : `${path}.token is missing`),
    }),
    outbound: { textChunkLimit: 50, hardLimit: 50, markdown: "plain" },
    gateway: {
      startAccount: async (ctx) => {
        this.starts += 1;
        this.ctx = ctx;
        const step = this.script.shift() ?? "connect";
        this.notify();
        if (step instanceof Error) throw step;
        return {
          closed: new Promise<void>((resolve, reject) => {
            this.closeCurrent = (err) => (err ? reject(err) : resolve());
            ctx.signal.addEventListener("abort", () => resolve(), { once: true });
          }),
          transport: {
            sendText: async (target, text) => {
              const fail = this.failSend.shift();
              if (fail) throw fail;
              this.sent.push({ target, text });
              this.notify();
              return { messageId: String(this.sent.length) };
            },
            sendMedia: async (_target, media) => {
              this.media.push(media);
              return { messageId: `media-${this.media.length}` };
            },
          },
          stop: async () => this.closeCurrent?.(),
        };
      },
    },
  };

  drop(err = new Error("socket closed")): void {
    this.closeCurrent?.(err);
  }

  notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise<void>((r) => this.waiters.push(r));
  }

  message(text: string, over: Partial<InboundMessage> = {}): InboundMessage {
    return {
      channel: "loop",
      accountId: "default",
      chatType: "direct",
      peerId: "u1",
      sender: { id: "u1" },
      text,
      media: [],
      mentioned: true,
      mentions: [],
      messageId: `m-${text}`,
      timestamp: 0,
      ...over,
    };
  }
}

class EchoAgent implements AgentPort {
  sends: string[] = [];
  private readonly runs_ = new Map<string, AgentRunHandle & { outcome?: AgentRunOutcome }>();
  runs = {
    get: (id: string) => this.runs_.get(id),
    wait: async (run: AgentRunHandle) => (run as { outcome?: AgentRunOutcome }).outcome,
  };
  send(p: { message: string; idempotencyKey: string; sessionKey: string }) {
    const existing = this.runs_.get(p.idempotencyKey);
    if (existing) return { runId: p.idempotencyKey, status: "ok", sessionKey: p.sessionKey, cached: true };
    this.sends.push(p.message);
    const outcome: AgentRunOutcome = p.message.startsWith("fail")
      ? {
          status: "error",
          text: "",
          error: { kind: "model", message: "the model provider answered 401: check models.providers.fake.apiKey" },
        }
      : { status: "ok", text: `echo: ${p.message}` };
    this.runs_.set(p.idempotencyKey, { runId: p.idempotencyKey, status: "ok", outcome });
    return { runId: p.idempotencyKey, status: "accepted", sessionKey: p.sessionKey };
  }
}

const managers: ChannelManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop();
});

function setup(section: Record<string, unknown>, policy = {}) {
  const platform = new LoopbackPlatform();
  const agent = new EchoAgent();
  const config = PincerConfigSchema.parse({ channels: { loop: section } });
  const manager = new ChannelManager({
    config: () => config,
    agent: () => agent,
    pairing: new PairingStore(join(mkdtempSync(join(tmpdir(), "pincer-mgr-")), "credentials")),
    log: pino({ level: "silent" }),
    registry: new ChannelRegistry([{ id: "loop", meta: platform.plugin.meta, load: async () => platform.plugin }]),
    onChange: () => queueMicrotask(() => platform.notify()),
    restartPolicy: { initialMs: 1, maxMs: 1, factor: 1, jitter: 0, maxAttempts: 3, maxRestartsPerHour: 100, ...policy },
  });
  managers.push(manager);
  return { platform, agent, manager };
}

const account = (m: ChannelManager, id = "default") =>
  m.status().channelAccounts.loop!.find((a) => a.accountId === id)!;

describe("ChannelManager", () => {
  it("restarts a failing account with backoff until it connects", async () => {
    const { platform, manager } = setup({ token: "t" });
    platform.script = [new Error("boom 1"), new Error("boom 2"), "connect"];
    await manager.start();
    await platform.until(() => platform.starts === 3 && account(manager).connected);
    expect(account(manager)).toMatchObject({ running: true, connected: true, lastError: null, reconnectAttempts: 0 });
  });

  it("gives up after the attempt cap and says how to retry", async () => {
    const { platform, manager } = setup({ token: "t" });
    platform.script = Array.from({ length: 10 }, (_, i) => new Error(`down ${i}`));
    await manager.start();
    await platform.until(() => platform.starts === 4);
    await new Promise((r) => setImmediate(r));
    await platform.until(() => !account(manager).running);
    expect(account(manager).lastError).toMatch(
      /gave up after 3 failed attempts in a row; run `pincer channels start loop`/,
    );
    platform.script = ["connect"];
    await manager.startAccount("loop");
    await platform.until(() => account(manager).connected);
  });

  it("does not restart an account whose credentials were rejected", async () => {
    const { platform, manager } = setup({ token: "t" });
    platform.script = [new PincerError("UNAUTHORIZED", "token rejected: check channels.loop.token")];
    await manager.start();
    await platform.until(() => platform.starts === 1);
    await platform.until(() => !account(manager).running);
    expect(platform.starts).toBe(1);
    expect(account(manager).lastError).toBe("token rejected: check channels.loop.token");
  });

  it("reconnects after a drop and answers each message once, redeliveries included", async () => {
    const { platform, agent, manager } = setup({ token: "t", dmPolicy: "open" });
    await manager.start();
    await platform.until(() => account(manager).connected);
    platform.ctx!.receive(platform.message("one"));
    await platform.until(() => platform.sent.length === 1);
    platform.drop();
    await platform.until(() => platform.starts === 2 && account(manager).connected);
    platform.ctx!.receive(platform.message("one"));
    platform.ctx!.receive(platform.message("two"));
    await platform.until(() => platform.sent.length === 2);
    expect(agent.sends).toEqual(["one", "two"]);
    expect(platform.sent.map((s) => s.text)).toEqual(["echo: one", "echo: two"]);
  });

  it("retries a send the platform rejects transiently and apologizes for a failed run", async () => {
    const { platform, manager } = setup({ token: "t", dmPolicy: "open" });
    await manager.start();
    await platform.until(() => account(manager).connected);
    platform.failSend.push(new PincerError("RATE_LIMITED", "slow down", { retryable: true, retryAfterMs: 1 }));
    platform.ctx!.receive(platform.message("fail please"));
    await platform.until(() => platform.sent.length >= 2);
    expect(platform.sent.map((s) => s.text).join(" ")).toBe(
      "Sorry, I couldn't answer that: the model provider answered 401: check models.providers.fake.apiKey",
    );
    for (const s of platform.sent) expect(s.text.length).toBeLessThanOrEqual(50);
  });

  it("lists unconfigured accounts with what is missing, without starting them", async () => {
    const { platform, manager } = setup({ accounts: { a: { token: "x" }, b: {} } });
    await manager.start();
    await platform.until(() => account(manager, "a").connected);
    expect(account(manager, "b")).toMatchObject({
      configured: false,
      running: false,
      lastError: "channels.loop.accounts.b.token is missing",
    });
    expect(platform.starts).toBe(1);
    await expect(manager.startAccount("loop", "b")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(manager.startAccount("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("sends an attachment with its caption rendered, a long caption after it as text, a bad one as an error value", async () => {
    const { platform, manager } = setup({ token: "t" });
    await manager.start();
    await platform.until(() => account(manager).connected);
    const file = join(mkdtempSync(join(tmpdir(), "pincer-mgr-media-")), "a.txt");
    writeFileSync(file, "abc");
    const to = { chatType: "direct" as const, peerId: "u1" };
    const short = await manager.sendMedia("loop", "default", to, { kind: "document", source: file, caption: "**hi**" });
    expect(short).toEqual({ ok: true, messageId: "media-1" });
    expect(platform.media[0]).toMatchObject({ source: file, caption: "hi", sizeBytes: 3, fileName: "a.txt" });

    const long = "word ".repeat(20).trim();
    await manager.sendMedia("loop", "default", to, { kind: "document", source: file, caption: long });
    expect(platform.media[1]!.caption).toBeUndefined();
    expect(platform.sent.map((x) => x.text).join(" ")).toBe(long);

    const missing = await manager.sendMedia("loop", "default", to, { kind: "image", source: "/no/such/file.png" });
    expect(missing).toEqual({
      ok: false,
      error: { code: "NOT_FOUND", message: "attachment file not found: /no/such/file.png" },
    });
    expect(platform.media).toHaveLength(2);
    await expect(manager.sendMedia("nope", "default", to, { kind: "image", source: file })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("routes gateway HTTP requests to the path an account mounted, until the account stops", async () => {
    const { platform, manager } = setup({ token: "t" });
    await manager.start();
    await platform.until(() => account(manager).connected);
    const seen: string[] = [];
    platform.ctx!.http.register("/loop/hook", (req) => seen.push(req.url ?? ""));
    const req = (url: string) => ({ url, method: "POST" }) as IncomingMessage;
    const res = {} as ServerResponse;
    expect(manager.handleHttp(req("/loop/hook?x=1"), res)).toBe(true);
    expect(manager.handleHttp(req("/other"), res)).toBe(false);
    expect(seen).toEqual(["/loop/hook?x=1"]);
    await manager.stopAccount("loop");
    expect(manager.handleHttp(req("/loop/hook"), res)).toBe(false);
  });
});
