import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { PINCER_BIN } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** Cron through the real gateway: methods, runs, retries, delivery, missed runs across a restart, tool, CLI. */
const TOKEN = "cron-e2e-token";
let t: AgentGateway;
let receiver: Server;
const received: Any[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ auth: req.headers.authorization, body: JSON.parse(body) });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  t = await startAgentGateway(
    (fake) => ({
      ...fakeConfig(fake),
      gateway: { auth: { mode: "token", token: TOKEN } },
      cron: { retryBackoffMs: [300], maxOneShotRetries: 1, webhookToken: "hook-out" },
    }),
    { token: TOKEN },
  );
});
afterAll(async () => {
  await t?.close();
  receiver?.close();
});
beforeEach(() => {
  t.fake.reset();
});

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const call = <T = Any>(method: string, params: unknown) => t.client.call<T>(method, params);

function finished(jobId: string, count = 1, timeoutMs = 10_000) {
  return t.events.waitFor(
    (e) =>
      e.event === "cron" &&
      e.payload?.jobId === jobId &&
      e.payload?.action === "finished" &&
      t.events.all.filter((x) => x.event === "cron" && x.payload?.jobId === jobId && x.payload?.action === "finished")
        .length >= count,
    timeoutMs,
    `cron run #${count} of ${jobId}`,
  );
}

async function errorOf(p: Promise<unknown>): Promise<Any> {
  return p.then(
    () => undefined,
    (e) => e,
  );
}

describe("cron.add validation", () => {
  it("refuses an invalid cron expression and an unknown time zone, naming them", async () => {
    const base = { name: "x", payload: { kind: "agentTurn", message: "hi" } };
    const expr = await errorOf(call("cron.add", { ...base, schedule: { kind: "cron", expr: "61 8 * * *" } }));
    expect(expr.code).toBe("INVALID_REQUEST");
    expect(expr.message).toContain('"61 8 * * *" is not a valid cron expression');
    const tz = await errorOf(
      call("cron.add", { ...base, schedule: { kind: "cron", expr: "0 8 * * *", tz: "Mars/Base" } }),
    );
    expect(tz.code).toBe("INVALID_REQUEST");
    expect(tz.message).toContain("Mars/Base");
    const shape = await errorOf(call("cron.add", { ...base, schedule: { kind: "every", everyMs: 10 } }));
    expect(shape.message).toContain("params.schedule");
    const past = await errorOf(call("cron.add", { ...base, schedule: { kind: "at", at: "2001-01-01T00:00:00Z" } }));
    expect(past.message).toContain("in the past");
    expect((await call("cron.list", {})).jobs).toEqual([]);
  });

  it("computes the next weekday 8:00 in the job's time zone", async () => {
    const job = await call("cron.add", {
      name: "calendar",
      schedule: { kind: "cron", expr: "0 8 * * 1-5", tz: "Europe/Berlin" },
      payload: { kind: "agentTurn", message: "Summarize my calendar" },
      delivery: { mode: "announce", channel: "telegram", to: "42" },
    });
    const next = new Date(job.state.nextRunAtMs);
    const berlin = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
    }).format(next);
    expect(berlin).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 08:00$/);
    await call("cron.remove", { id: job.id });
  });
});

describe("running jobs", () => {
  it("an isolated agent-turn job runs on time in cron:<jobId>, is recorded, and a one-shot is removed", async () => {
    const job = await call("cron.add", {
      name: "soon",
      schedule: { kind: "at", at: inMs(400) },
      payload: { kind: "agentTurn", message: "scheduled hello" },
    });
    const done = await finished(job.id);
    expect(done.payload).toMatchObject({
      status: "ok",
      trigger: "schedule",
      sessionKey: `agent:main:cron:${job.id}`,
      removed: true,
    });
    expect(t.fake.requests[0]?.lastUserText).toBe("scheduled hello");
    const runs = await call("cron.runs", { id: job.id });
    expect(runs.entries).toHaveLength(1);
    expect(runs.entries[0]).toMatchObject({ status: "ok", summary: "echo: scheduled hello" });
    expect((await call("cron.list", {})).jobs.find((j: Any) => j.id === job.id)).toBeUndefined();
    const actions = t.events.all
      .filter((e) => e.event === "cron" && e.payload.jobId === job.id)
      .map((e) => e.payload.action);
    expect(actions).toEqual(["added", "started", "finished"]);
  });

  it("a failing agent turn is retried with backoff, then recorded as failed and disabled", async () => {
    t.fake.enqueue(
      { error: { status: 400, message: "bad upstream" } },
      { error: { status: 400, message: "bad upstream" } },
    );
    const job = await call("cron.add", {
      name: "flaky",
      schedule: { kind: "at", at: inMs(200) },
      payload: { kind: "agentTurn", message: "try me" },
    });
    await finished(job.id, 2);
    const runs = await call("cron.runs", { id: job.id });
    expect(runs.entries.map((e: Any) => [e.status, e.trigger, e.attempt])).toEqual([
      ["error", "retry", 2],
      ["error", "schedule", 1],
    ]);
    expect(runs.entries[1].ts + 300).toBeLessThanOrEqual(runs.entries[0].ts + 50);
    const stored = await call("cron.get", { id: job.id });
    expect(stored.enabled).toBe(false);
    expect(stored.state).toMatchObject({ lastRunStatus: "error", consecutiveErrors: 2 });
    expect(stored.state.lastError).toBeTruthy();
    await call("cron.remove", { id: job.id });
  });

  it("webhook delivery POSTs the reply with the cron webhook token", async () => {
    const port = (receiver.address() as AddressInfo).port;
    const job = await call("cron.add", {
      name: "report",
      schedule: { kind: "every", everyMs: 3_600_000 },
      payload: { kind: "agentTurn", message: "daily report" },
      delivery: { mode: "webhook", to: `http://127.0.0.1:${port}/in` },
    });
    const run = await call("cron.run", { id: job.id });
    expect(run.ran).toBe(true);
    const done = await finished(job.id);
    expect(done.payload.deliveryStatus).toBe("delivered");
    expect(received.at(-1)).toMatchObject({
      auth: "Bearer hook-out",
      body: { jobId: job.id, status: "ok", text: "echo: daily report" },
    });
    await call("cron.remove", { id: job.id });
  });

  it("a main-session system event job lands in the main session", async () => {
    const job = await call("cron.add", {
      name: "stretch",
      schedule: { kind: "every", everyMs: 3_600_000 },
      sessionTarget: "main",
      payload: { kind: "systemEvent", text: "Time to stretch" },
    });
    await call("cron.run", { id: job.id });
    const final = await t.events.waitFor(
      (e) => e.event === "chat" && e.payload?.state === "final" && e.payload?.sessionKey === "agent:main:main",
      10_000,
      "main-session turn",
    );
    expect(final).toBeTruthy();
    expect(t.fake.requests.at(-1)?.lastUserText).toBe("System event:\nTime to stretch");
    await call("cron.remove", { id: job.id });
  });

  it("the agent schedules a job for the user with the cron tool", async () => {
    t.fake.enqueue(
      {
        toolCalls: [
          {
            id: "c1",
            name: "cron",
            args: {
              action: "add",
              name: "calendar",
              cron: "0 8 * * 1-5",
              tz: "Europe/Berlin",
              message: "Summarize my calendar",
              channel: "telegram",
              to: "777",
            },
          },
        ],
      },
      { text: "Scheduled." },
    );
    const final = await t.turn("Every weekday at 8:00 send me a summary of my calendar", { sessionKey: "main" });
    expect(final.state).toBe("final");
    const result = t.events.agent(final.runId).find((e: Any) => e.stream === "tool" && e.data.phase === "result");
    expect(result?.data).toMatchObject({ name: "cron", isError: false });
    const jobs = (await call("cron.list", {})).jobs;
    const job = jobs.find((j: Any) => j.name === "calendar");
    expect(job).toMatchObject({
      agentId: "main",
      sessionTarget: "isolated",
      schedule: { kind: "cron", expr: "0 8 * * 1-5", tz: "Europe/Berlin" },
      delivery: { mode: "announce", channel: "telegram", to: "777" },
    });
    await call("cron.remove", { id: job.id });
  });

  it("the CLI lists and runs jobs", async () => {
    const job = await call("cron.add", {
      name: "cli-job",
      schedule: { kind: "every", everyMs: 3_600_000 },
      payload: { kind: "agentTurn", message: "from cli" },
    });
    const cli = (...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [PINCER_BIN, "cron", ...args, "--url", t.gw.url, "--token", TOKEN], {
          env: { PATH: process.env.PATH, HOME: t.gw.stateDir, PINCER_STATE_DIR: t.gw.stateDir },
        });
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
        });
        child.stderr.on("data", (d) => {
          out += d;
        });
        child.on("close", (code) => resolve({ code, out }));
      });
    const list = await cli("list", "--json");
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).jobs.map((j: Any) => j.id)).toContain(job.id);
    const run = await cli("run", job.id);
    expect(run.out).toMatch(/^started run cron-/);
    await finished(job.id);
    const runs = await cli("runs", job.id);
    expect(runs.out).toMatch(/ok \(manual\)\s+echo: from cli/);
    const bad = await cli("add", "--name", "bad", "--cron", "nope", "--message", "x");
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("not a valid cron expression");
    await call("cron.remove", { id: job.id });
  });
});

describe("missed runs while the gateway is down", () => {
  it("runs a missed one-shot and a missed recurring job once after restart; with skipMissedJobs, skips", async () => {
    const soon = Date.now() + 700;
    const once = await call("cron.add", {
      name: "once",
      schedule: { kind: "at", at: new Date(soon).toISOString() },
      payload: { kind: "agentTurn", message: "missed once" },
    });
    const hourly = await call("cron.add", {
      name: "hourly",
      schedule: { kind: "every", everyMs: 3_600_000, anchorMs: soon },
      payload: { kind: "agentTurn", message: "missed hourly" },
    });
    await t.gw.stop();
    await new Promise((r) => setTimeout(r, Math.max(0, soon - Date.now()) + 300));
    await t.gw.restart();
    await t.reconnect();
    await finished(once.id);
    await finished(hourly.id);
    const onceRuns = (await call("cron.runs", { id: once.id })).entries;
    expect(onceRuns.map((e: Any) => [e.status, e.trigger])).toEqual([["ok", "catch-up"]]);
    const hourlyRuns = (await call("cron.runs", { id: hourly.id })).entries;
    expect(hourlyRuns.map((e: Any) => [e.status, e.trigger])).toEqual([["ok", "catch-up"]]);
    expect((await call("cron.get", { id: hourly.id })).state.nextRunAtMs).toBe(soon + 3_600_000);

    const soon2 = Date.now() + 500;
    const skipped = await call("cron.add", {
      name: "skipped",
      schedule: { kind: "every", everyMs: 3_600_000, anchorMs: soon2 },
      payload: { kind: "agentTurn", message: "never" },
    });
    await t.gw.stop();
    const file = join(t.gw.stateDir, "pincer.json");
    const config = JSON.parse(readFileSync(file, "utf8"));
    config.cron = { ...config.cron, skipMissedJobs: true };
    writeFileSync(file, JSON.stringify(config));
    await new Promise((r) => setTimeout(r, Math.max(0, soon2 - Date.now()) + 300));
    t.fake.reset();
    await t.gw.restart();
    await t.reconnect();
    const runs = (await call("cron.runs", { id: skipped.id })).entries;
    expect(runs.map((e: Any) => [e.status, e.trigger])).toEqual([["skipped", "catch-up"]]);
    expect((await call("cron.get", { id: skipped.id })).state.nextRunAtMs).toBe(soon2 + 3_600_000);
    expect(t.fake.requests).toHaveLength(0);
    await call("cron.remove", { id: hourly.id });
    await call("cron.remove", { id: skipped.id });
  });
});
