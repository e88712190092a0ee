import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * The heartbeat against the real gateway, beating every second: no file no turn, HEARTBEAT_OK suppressed,
 * alerts, the loop breaker and its reset by the user, active hours, usage in the ledger.
 */
let t: AgentGateway;
let heartbeatFile: string;

beforeAll(async () => {
  t = await startAgentGateway((fake) =>
    fakeConfig(fake, { agentDefaults: { heartbeat: { every: "1s", loopBreaker: 2, target: "none" } } }),
  );
  const workspace = join(t.gw.stateDir, "workspace");
  mkdirSync(workspace, { recursive: true });
  heartbeatFile = join(workspace, "HEARTBEAT.md");
});
afterAll(async () => {
  await t?.close();
});

/** The next `heartbeat` event (after `since`) that matches. */
function nextBeat(match: (p: Any) => boolean, since = Date.now(), timeoutMs = 8_000) {
  return t.events.waitFor(
    (e) => e.event === "heartbeat" && e.at >= since && match(e.payload),
    timeoutMs,
    "heartbeat event",
  );
}

describe("heartbeat", () => {
  it("without anything in HEARTBEAT.md it skips and calls no model", async () => {
    writeFileSync(heartbeatFile, "# Heartbeat\n\n<!-- nothing yet -->\n- [ ]\n");
    const since = Date.now();
    const skipped = await nextBeat((p) => p.status === "skipped", since);
    expect(skipped.payload).toMatchObject({ agentId: "main", reason: "empty-heartbeat-file" });
    expect(t.fake.requests).toHaveLength(0);
  });

  it("runs a main-session turn with the prompt and suppresses a bare HEARTBEAT_OK", async () => {
    t.fake.setDefault(() => ({ text: "HEARTBEAT_OK" }));
    writeFileSync(heartbeatFile, "# Heartbeat\n- Check whether the nightly build failed.\n");
    const ack = await nextBeat((p) => p.status === "ok-token");
    expect(t.fake.requests.at(-1)?.lastUserText).toContain("Read HEARTBEAT.md");
    const final = t.events.chat(ack.payload.runId).find((e: Any) => e.state === "final");
    expect(final.sessionKey).toBe("agent:main:main");
    // The file itself reaches the model through the workspace context.
    expect(JSON.stringify(t.fake.requests.at(-1)?.body)).toContain("nightly build failed");
  });

  it("a queued next-heartbeat system event rides along with the next beat", async () => {
    const res = await t.client.call<Any>("chat.send", {
      sessionKey: "main",
      message: "hello",
      idempotencyKey: `user-${Date.now()}`,
    });
    await t.events.terminal(res.runId);
    // Webhook wakes and main-session cron jobs queue this way; here through the automation's own queue.
    const job = await t.client.call<Any>("cron.add", {
      name: "note",
      schedule: { kind: "every", everyMs: 3_600_000 },
      sessionTarget: "main",
      wakeMode: "next-heartbeat",
      payload: { kind: "systemEvent", text: "The backup finished" },
    });
    const since = Date.now();
    await t.client.call("cron.run", { id: job.id });
    await nextBeat((p) => p.status === "ok-token", since);
    const texts = t.fake.requests.map((r) => r.lastUserText);
    expect(texts.some((x) => x.includes("Read HEARTBEAT.md") && x.includes("System event:\nThe backup finished"))).toBe(
      true,
    );
    await t.client.call("cron.remove", { id: job.id });
  });

  it("pauses after repeated alerts with no user activity, and resumes when the user writes", async () => {
    t.fake.setDefault((req) =>
      req.lastUserText.includes("HEARTBEAT.md") ? { text: "The nightly build failed again!" } : { text: "ok" },
    );
    const since = Date.now();
    const paused = await nextBeat((p) => p.status === "paused", since, 10_000);
    expect(paused.payload).toMatchObject({ reason: "loop-breaker", alerts: 2 });
    const sent = t.events.all.filter((e) => e.event === "heartbeat" && e.at >= since && e.payload.status === "sent");
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[0]?.payload.preview).toBe("The nightly build failed again!");

    const quiet = Date.now();
    await nextBeat((p) => p.status === "skipped" && p.reason === "loop-breaker", quiet);
    const calls = t.fake.requests.length;

    const res = await t.client.call<Any>("chat.send", {
      sessionKey: "main",
      message: "thanks, looking",
      idempotencyKey: `u-${Date.now()}`,
    });
    await t.events.terminal(res.runId);
    const resumed = await nextBeat((p) => p.status === "resumed", quiet);
    expect(resumed.payload.reason).toBe("user-activity");
    t.fake.setDefault(() => ({ text: "HEARTBEAT_OK" }));
    await nextBeat((p) => p.status === "ok-token", Date.now());
    expect(t.fake.requests.length).toBeGreaterThan(calls + 1);
  });

  it("heartbeat turns are in the usage ledger (they count against budgets)", async () => {
    const cost = await t.client.call<Any>("usage.cost", {});
    expect(JSON.stringify(cost.byChannel)).toContain("heartbeat");
  });

  it("outside active hours it skips", async () => {
    const now = new Date();
    const hh = (h: number) => `${String(h % 24).padStart(2, "0")}:00`;
    // A one-hour window starting two hours from now (UTC) never contains the present.
    const window = { start: hh(now.getUTCHours() + 2), end: hh(now.getUTCHours() + 3), timezone: "UTC" };
    await t.client.call("config.patch", {
      raw: JSON.stringify({ agents: { defaults: { heartbeat: { activeHours: window } } } }),
    });
    const since = Date.now() + 300;
    const skipped = await nextBeat((p) => p.reason === "quiet-hours", since);
    expect(skipped.payload.status).toBe("skipped");
  });
});
