import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayClient } from "../../src/gateway/client.js";
import { type FakeTelegram, startFakeTelegram } from "../fixtures/fake-platforms/telegram.js";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { ProtocolValidator, RawProtocolSocket } from "./frame-validator.js";

/**
 * The OpenClaw methods its CLI needs beyond chat (agents.list, the canonical cron.list page, wake, send,
 * message.action), through Pincer's own client against the real gateway with the fake LLM and a fake Telegram.
 * Every request is checked against OpenClaw's published `<Method>Params` before it is sent, and every answer
 * that has a published `<Method>Result` against it.
 */

// biome-ignore lint/suspicious/noExplicitAny: payloads are read ad hoc by assertions after schema checks.
type Any = any;

const BOT = "123:openclaw-methods";
const TOKEN = "openclaw-methods-token-5c1d";
const validator = new ProtocolValidator();
let tg: FakeTelegram;
let t: AgentGateway;

beforeAll(async () => {
  tg = await startFakeTelegram();
  tg.addBot(BOT, "pincer_methods_bot");
  t = await startAgentGateway(
    (fake) => {
      const base = fakeConfig(fake) as { agents: { defaults: Record<string, unknown> } };
      return {
        ...base,
        gateway: { auth: { token: TOKEN } },
        agents: {
          defaults: { ...base.agents.defaults, heartbeat: { every: "6h" } },
          list: [
            { id: "main", default: true },
            { id: "ops", name: "Ops", model: { primary: "fake/fake-model", fallbacks: [] } },
          ],
        },
        channels: {
          telegram: {
            apiRoot: tg.apiRoot,
            pollTimeoutSeconds: 5,
            accounts: { default: { botToken: BOT, dmPolicy: "open" }, down: { botToken: "999:no-such-bot" } },
          },
        },
      };
    },
    { token: TOKEN },
  );
  await waitConnected(t.client, "default");
}, 60_000);

afterAll(async () => {
  await t?.close();
  await tg?.close();
});

async function waitConnected(client: GatewayClient, accountId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const status = await client.call<Any>("channels.status", { channel: "telegram" });
    if (status.channelAccounts?.telegram?.find((a: Any) => a.accountId === accountId)?.connected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`telegram/${accountId} did not connect`);
}

/** Calls `method` with params that must conform to OpenClaw's `<definition>`. */
function call<T = Any>(method: string, definition: string, params: Record<string, unknown>): Promise<T> {
  validator.assert(definition, params, `${method} params`);
  return t.client.call<T>(method, params);
}

describe("agents.list", () => {
  it("lists the configured agents in AgentsListResult's shape, the default one first", async () => {
    const result = await call("agents.list", "AgentsListParams", {});
    validator.assert("AgentsListResult", result);
    expect(result).toMatchObject({ defaultId: "main", ownership: "legacy", selectionRequired: false, mainKey: "main" });
    expect(result.agents.map((a: Any) => a.id)).toEqual(["main", "ops"]);
    expect(result.agents[1]).toMatchObject({
      id: "ops",
      kind: "agent",
      name: "Ops",
      model: { primary: "fake/fake-model" },
    });
    expect(typeof result.agents[0].workspace).toBe("string");
  });

  it("is in hello-ok's method list", () => {
    const methods = (t.client.hello as Any).features.methods as string[];
    for (const m of ["agents.list", "wake", "send", "message.action"]) expect(methods).toContain(m);
  });
});

describe("cron.list pages", () => {
  it("carries OpenClaw's canonical page metadata, stable across pages until the inventory changes", async () => {
    const ids: string[] = [];
    for (const name of ["a-job", "b-job", "c-job"]) {
      const job = await call("cron.add", "CronAddParams", {
        name,
        schedule: { kind: "every", everyMs: 3_600_000 },
        sessionTarget: "isolated",
        wakeMode: "now",
        payload: { kind: "agentTurn", message: `run ${name}` },
      });
      validator.assert("CronAddResult", job);
      ids.push(job.id);
    }
    const first = await call("cron.list", "CronListParams", { includeDisabled: true, limit: 2, offset: 0 });
    expect(first).toMatchObject({ total: 3, offset: 0, limit: 2, hasMore: true, nextOffset: 2 });
    expect(first.jobs).toHaveLength(2);
    expect(first.snapshotRevision).toMatch(/\S/);
    for (const job of first.jobs) validator.assert("CronJob", job);

    const last = await call("cron.list", "CronListParams", { includeDisabled: true, limit: 2, offset: 2 });
    expect(last).toMatchObject({ total: 3, offset: 2, limit: 2, hasMore: false, nextOffset: null });
    expect(last.snapshotRevision).toBe(first.snapshotRevision);
    expect([...first.jobs, ...last.jobs].map((j: Any) => j.id).sort()).toEqual([...ids].sort());

    await call("cron.update", "CronUpdateParams", { id: ids[0], patch: { enabled: false } });
    const after = await call("cron.list", "CronListParams", { includeDisabled: true, limit: 200 });
    expect(after.snapshotRevision).not.toBe(first.snapshotRevision);
    expect(after).toMatchObject({ total: 3, hasMore: false, nextOffset: null });
    const enabledOnly = await call("cron.list", "CronListParams", { enabled: "enabled" });
    expect(enabledOnly.total).toBe(2);
  });

  it("answers an unknown job id the way OpenClaw's CLI recognizes", async () => {
    const err = await call("cron.get", "CronGetParams", { id: "no-such-job" }).catch((e: Any) => e);
    expect(err).toMatchObject({ code: "INVALID_REQUEST" });
    expect(err.message).toContain("cron job not found: no-such-job");
    validator.assert("CronJobNotFoundErrorDetails", err.details);
    await expect(call("cron.run", "CronRunParams", { id: "no-such-job" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
  });

  it("reports a manual run as enqueued and finds its entry by runId", async () => {
    const [job] = (await call("cron.list", "CronListParams", { enabled: "enabled", limit: 1 })).jobs;
    const run = await call("cron.run", "CronRunParams", { id: job.id, mode: "force" });
    expect(run).toMatchObject({ ok: true, enqueued: true });
    const deadline = Date.now() + 15_000;
    let entries: Any[] = [];
    while (Date.now() < deadline && entries.length === 0) {
      entries = (await call("cron.runs", "CronRunsParams", { id: job.id, runId: run.runId, limit: 1 })).entries;
      if (entries.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ jobId: job.id, runId: run.runId, status: "ok" });
  });
});

describe("wake", () => {
  it("queues next-heartbeat events and delivers them with a `now` wake in one main-session turn", async () => {
    const before = t.fake.requests.length;
    const queued = await call("wake", "WakeParams", { mode: "next-heartbeat", text: "disk 91% full" });
    expect(queued).toMatchObject({ ok: true, agentId: "main", outcome: "queued", pending: 1 });
    const now = await call("wake", "WakeParams", { mode: "now", text: "deploy finished", sessionKey: "main" });
    expect(now).toMatchObject({ ok: true, agentId: "main", pending: 0 });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !t.fake.requests.slice(before).some((r) => r.lastUserText.includes("deploy"))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const turn = t.fake.requests.slice(before).find((r) => r.lastUserText.includes("deploy finished"));
    expect(turn?.lastUserText).toContain("disk 91% full");
  });

  it("targets another agent's main session by agentId", async () => {
    const result = await call("wake", "WakeParams", { mode: "next-heartbeat", text: "ops ping", agentId: "ops" });
    expect(result).toMatchObject({ ok: true, agentId: "ops" });
  });

  it("refuses bad input with INVALID_REQUEST / NOT_FOUND naming the problem", async () => {
    await expect(t.client.call("wake", { text: "no mode" })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(t.client.call("wake", { mode: "later", text: "x" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    await expect(t.client.call("wake", { mode: "now", text: "   " })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining("blank"),
    });
    await expect(
      call("wake", "WakeParams", { mode: "now", text: "x", sessionKey: "telegram:direct:42" }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("main session") });
    await expect(
      call("wake", "WakeParams", { mode: "now", text: "x", agentId: "main", sessionKey: "agent:ops:main" }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("contradicts") });
    await expect(call("wake", "WakeParams", { mode: "now", text: "x", agentId: "ghost" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("send and message.action", () => {
  it("send delivers on the channel's default account, once per idempotencyKey", async () => {
    const idempotencyKey = randomUUID();
    const params = { to: "4242", message: "**hello** from the operator", channel: "telegram", idempotencyKey };
    const result = await call("send", "SendParams", params);
    expect(result).toMatchObject({ runId: idempotencyKey, channel: "telegram", accountId: "default", chunks: 1 });
    const sent = await tg.calls.waitFor((c) => c.method === "sendMessage" && String(c.params.chat_id) === "4242");
    // Markdown is rendered for Telegram, as replies are.
    expect(sent[0]?.params.text).toContain("<b>hello</b>");
    const again = await call("send", "SendParams", params);
    expect(again).toEqual(result);
    expect(tg.sent(BOT, 4242)).toHaveLength(1);
  });

  it("message.action send takes OpenClaw's action params", async () => {
    const params = {
      channel: "telegram",
      action: "send",
      params: { target: "-100777", message: "to the group" },
      idempotencyKey: randomUUID(),
    };
    const result = await call("message.action", "MessageActionParams", params);
    expect(result).toMatchObject({ ok: true, action: "send", channel: "telegram", to: "-100777" });
    await tg.calls.waitFor((c) => c.method === "sendMessage" && String(c.params.chat_id) === "-100777");
  });

  it("message.action react, edit and delete act on a message send returned", async () => {
    const sent = await call("send", "SendParams", {
      to: "4343",
      message: "first draft",
      channel: "telegram",
      idempotencyKey: randomUUID(),
    });
    // Telegram's message ids are "<chat>:<message>"; the Bot API calls carry the message number.
    expect(sent.messageId).toMatch(/^4343:\d+$/);
    const messageNumber = sent.messageId.split(":")[1];
    const act = (action: string, params: Record<string, unknown>) =>
      call("message.action", "MessageActionParams", {
        channel: "telegram",
        action,
        params: { target: "4343", messageId: sent.messageId, ...params },
        idempotencyKey: randomUUID(),
      });
    const of = (method: string) => (c: { method: string; params: Any }) =>
      c.method === method && String(c.params.chat_id) === "4343" && String(c.params.message_id) === messageNumber;

    expect(await act("react", { emoji: "👍" })).toMatchObject({ ok: true, action: "react", messageId: sent.messageId });
    const [reaction] = await tg.calls.waitFor(of("setMessageReaction"));
    expect(JSON.stringify(reaction?.params.reaction)).toContain("👍");

    expect(await act("edit", { message: "**final** text" })).toMatchObject({ ok: true, action: "edit" });
    const [edit] = await tg.calls.waitFor(of("editMessageText"));
    expect(edit?.params.text).toContain("<b>final</b>");

    expect(await act("delete", {})).toMatchObject({ ok: true, action: "delete" });
    await tg.calls.waitFor(of("deleteMessage"));

    await expect(act("react", { emoji: "👍", remove: true })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(act("edit", {})).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining("new text"),
    });
    await expect(
      call("message.action", "MessageActionParams", {
        channel: "telegram",
        action: "delete",
        params: { target: "4343" },
        idempotencyKey: randomUUID(),
      }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("messageId") });
  });

  it("says clearly what is wrong: unknown channel or account, disconnected account, bad target or media", async () => {
    const key = () => randomUUID();
    await expect(
      call("send", "SendParams", { to: "1", message: "x", channel: "discord", idempotencyKey: key() }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("not configured") });
    await expect(
      call("send", "SendParams", {
        to: "1",
        message: "x",
        channel: "telegram",
        accountId: "nope",
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining('no account "nope"') });
    await expect(
      call("send", "SendParams", {
        to: "1",
        message: "x",
        channel: "telegram",
        accountId: "down",
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("not connected") });
    await expect(
      call("send", "SendParams", { to: "1", mediaUrl: "/etc/passwd", channel: "telegram", idempotencyKey: key() }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("https") });
    await expect(
      call("send", "SendParams", { to: "1", buffer: "aGk=", channel: "telegram", idempotencyKey: key() }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(
      call("send", "SendParams", { to: "1", channel: "telegram", idempotencyKey: key() }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("nothing to send") });
    await expect(
      call("send", "SendParams", { to: "user:", message: "x", channel: "telegram", idempotencyKey: key() }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("names no peer") });
    await expect(t.client.call("send", { to: "1", message: "x", channel: "telegram" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining("idempotencyKey"),
    });
    await expect(
      call("message.action", "MessageActionParams", {
        channel: "telegram",
        action: "poll",
        params: { target: "1" },
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining("does not support action poll"),
    });
    await expect(
      call("message.action", "MessageActionParams", {
        channel: "telegram",
        action: "send",
        params: { message: "no target" },
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("target") });
    await expect(
      call("message.action", "MessageActionParams", {
        channel: "webchat",
        action: "send",
        params: { target: "v1", message: "x" },
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("internal") });
  });
});

describe("agent: OpenClaw's two responses", () => {
  it("answers accepted, then the final result with the reply, delivered on Telegram when asked", async () => {
    const sock = await RawProtocolSocket.open(t.gw.url, validator);
    try {
      await sock.connect({ auth: { token: TOKEN } });
      const params = {
        message: "deliver me",
        idempotencyKey: randomUUID(),
        sessionKey: "deliver-1",
        deliver: true,
        replyChannel: "telegram",
        replyTo: "8080",
      };
      validator.assert("AgentParams", params);
      sock.sendRaw(JSON.stringify({ type: "req", id: "agent-1", method: "agent", params }));
      const accepted = await sock.next((f) => f.type === "res" && f.id === "agent-1");
      expect(accepted.payload).toMatchObject({ status: "accepted", runId: params.idempotencyKey });
      const final = await sock.next(
        (f) => f.type === "res" && f.id === "agent-1" && (f.payload as Any)?.status !== "accepted",
        15_000,
        "final agent response",
      );
      expect(final.payload).toMatchObject({
        runId: params.idempotencyKey,
        status: "ok",
        summary: "completed",
        result: {
          payloads: [{ text: "echo: deliver me" }],
          deliveryStatus: { status: "sent", channel: "telegram", to: "8080" },
        },
      });
      const [sent] = await tg.calls.waitFor((c) => c.method === "sendMessage" && String(c.params.chat_id) === "8080");
      expect(sent?.params.text).toContain("echo: deliver me");

      // A delivery target that cannot work is refused before any run starts.
      const before = t.fake.requests.length;
      const bad = await sock.request("agent", { ...params, idempotencyKey: randomUUID(), replyChannel: "discord" });
      expect(bad.error).toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("not configured") });
      expect(t.fake.requests.length).toBe(before);
      expect(sock.violations).toEqual([]);
    } finally {
      sock.close();
    }
  });

  it("runs in the session whose id is given (agent --session-id), and a timeout in seconds bounds the run", async () => {
    await t.turn("first in s-id", { sessionKey: "by-id" });
    const list = await t.client.call<Any>("sessions.list", {});
    const entry = list.sessions.find((s: Any) => s.key === "agent:main:by-id");
    expect(entry?.sessionId).toBeTruthy();
    const sock = await RawProtocolSocket.open(t.gw.url, validator);
    try {
      await sock.connect({ auth: { token: TOKEN } });
      const params = { message: "second via id", idempotencyKey: randomUUID(), sessionId: entry.sessionId };
      validator.assert("AgentParams", params);
      sock.sendRaw(JSON.stringify({ type: "req", id: "agent-2", method: "agent", params }));
      const final = await sock.next(
        (f) => f.type === "res" && f.id === "agent-2" && (f.payload as Any)?.status === "ok",
        15_000,
        "final agent response",
      );
      expect((final.payload as Any).result.payloads[0].text).toBe("echo: second via id");
      const history = await t.client.call<Any>("chat.history", { sessionKey: "by-id" });
      expect(JSON.stringify(history.messages)).toContain("second via id");

      t.fake.enqueue({ text: Array.from({ length: 300 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 20 });
      const slow = { message: "slow", idempotencyKey: randomUUID(), sessionKey: "by-timeout", timeout: 1 };
      validator.assert("AgentParams", slow);
      sock.sendRaw(JSON.stringify({ type: "req", id: "agent-3", method: "agent", params: slow }));
      const ended = await sock.next(
        (f) => f.type === "res" && f.id === "agent-3" && (f.payload as Any)?.status !== "accepted",
        15_000,
        "final agent response after the timeout",
      );
      expect(JSON.stringify(ended.payload)).toMatch(/1000 ms the request allowed/);
    } finally {
      sock.close();
    }
  });
});
