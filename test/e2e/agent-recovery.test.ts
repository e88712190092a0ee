import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentGateway, startAgentGateway, textOf } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** Crashes and damaged files: the gateway is killed or stopped and restarted on the same state dir. */
let t: AgentGateway;

beforeAll(async () => {
  t = await startAgentGateway();
});
afterAll(async () => {
  await t?.close();
});

const sessionsDir = () => join(t.gw.stateDir, "agents", "main", "sessions");
const history = (sessionKey: string) => t.client.call<Any>("chat.history", { sessionKey });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe("crash safety through the gateway", () => {
  it("SIGKILL during a turn loses nothing that was written, leaves no lock, and the next turn works", async () => {
    await t.turn("before the crash", { sessionKey: "crash-1" });
    const slow = Array.from({ length: 100 }, (_, i) => `slow${i}`).join(" ");
    t.fake.enqueue({ text: slow, chunkDelayMs: 40 });
    const ack = await t.send("during the crash", { sessionKey: "crash-1" });
    await t.events.waitFor(
      (e) => e.event === "chat" && e.payload.runId === ack.runId && e.payload.state === "delta",
      5_000,
      "a delta of the slow turn",
    );
    await t.gw.kill("SIGKILL");
    await t.gw.restart();
    await t.reconnect();

    const after = await history("crash-1");
    const texts = after.messages.map((m: Any) => textOf(m));
    expect(texts.slice(0, 3)).toEqual(["before the crash", "echo: before the crash", "during the crash"]);
    expect(after.inFlightRun).toBeNull();
    const list = await t.client.call<Any>("sessions.list", {});
    expect(list.sessions.map((s: Any) => s.key)).toContain("agent:main:crash-1");
    expect(filesUnder(t.gw.stateDir).filter((f) => /\.lock$|\.pid$/.test(f))).toEqual([]);

    const next = await t.turn("after the crash", { sessionKey: "crash-1" });
    expect(next.state).toBe("final");
    expect(textOf(next.message)).toBe("echo: after the crash");
    // The model sees the conversation from before the crash.
    expect(JSON.stringify(t.fake.requests.at(-1)?.body.messages)).toContain("before the crash");
  });

  it("a garbage line in the middle of a transcript is skipped: history returns the rest and turns go on", async () => {
    await t.turn("line one", { sessionKey: "garbage-1" });
    await t.turn("line two", { sessionKey: "garbage-1" });
    const { sessionId } = await history("garbage-1");
    expect(sessionId).toBeTruthy();
    expect(await t.gw.stop()).toBe(0);

    const file = join(sessionsDir(), `${sessionId}.jsonl`);
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    // header, user, assistant, user, assistant (plus any non-message entries): put garbage after the first reply.
    const firstReply = lines.findIndex((l) => l.includes("echo: line one"));
    expect(firstReply).toBeGreaterThan(0);
    lines.splice(
      firstReply + 1,
      0,
      '{"type":"message","message":{"role":"user","content":',
      "\u0000\u0001 not json at all",
    );
    writeFileSync(file, `${lines.join("\n")}\n`);

    await t.gw.restart();
    await t.reconnect();
    const after = await history("garbage-1");
    expect(after.messages.map((m: Any) => textOf(m))).toEqual([
      "line one",
      "echo: line one",
      "line two",
      "echo: line two",
    ]);
    expect(after.skippedLines).toBe(2);

    const next = await t.turn("line three", { sessionKey: "garbage-1" });
    expect(textOf(next.message)).toBe("echo: line three");
    const body = JSON.stringify(t.fake.requests.at(-1)?.body.messages);
    expect(body).toContain("echo: line two");
    const final = await history("garbage-1");
    expect(final.messages.map((m: Any) => textOf(m)).slice(-2)).toEqual(["line three", "echo: line three"]);
  });

  it("every chat and agent event of this file conforms to the OpenClaw protocol schema", () => {
    expect(t.events.all.length).toBeGreaterThan(0);
    expect(t.events.violations()).toEqual([]);
  });
});
