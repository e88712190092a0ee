import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentGateway, chatEventErrors, fakeConfig, startAgentGateway, textOf } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** agents.defaults.timeoutSeconds bounds a run: a model that keeps streaming past it is stopped. */
let t: AgentGateway;

beforeAll(async () => {
  t = await startAgentGateway((fake) => fakeConfig(fake, { agentDefaults: { timeoutSeconds: 2 } }));
  // The first turn loads the model SDKs; keep that out of the timed run.
  await t.turn("warm up", { sessionKey: "warm" });
});
afterAll(async () => {
  await t?.close();
});

describe("run time limit", () => {
  it("stops a run past timeoutSeconds with a timeout error, keeping the partial reply", async () => {
    const words = Array.from({ length: 400 }, (_, i) => `t${i}`).join(" ");
    t.fake.enqueue({ text: words, chunkDelayMs: 25 });
    const started = Date.now();
    const end = await t.turn("take your time", { sessionKey: "slow-1" });
    const elapsed = Date.now() - started;
    expect(end.state).toBe("error");
    expect(end.errorKind).toBe("timeout");
    expect(end.errorMessage).toMatch(/longer than 2 s \(agents\.defaults\.timeoutSeconds\)/);
    expect(chatEventErrors(end)).toBeUndefined();
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(5_000);

    const history = await t.client.call<Any>("chat.history", { sessionKey: "slow-1" });
    const last = history.messages.at(-1);
    expect(last.stopReason).toBe("aborted");
    expect(words.startsWith(textOf(last))).toBe(true);
    expect(textOf(last).length).toBeGreaterThan(0);

    const waited = await t.client.call<Any>("agent.wait", { runId: end.runId, timeoutMs: 1_000 });
    expect(waited).toMatchObject({ status: "error", errorKind: "timeout" });

    const next = await t.turn("quick one", { sessionKey: "slow-1" });
    expect(textOf(next.message)).toBe("echo: quick one");
  });

  it("a chat.send timeoutMs shorter than the configured limit stops the run sooner, naming timeoutMs", async () => {
    const words = Array.from({ length: 400 }, (_, i) => `r${i}`).join(" ");
    t.fake.enqueue({ text: words, chunkDelayMs: 25 });
    const started = Date.now();
    const end = await t.turn("be quick", { sessionKey: "slow-2", timeoutMs: 600 });
    const elapsed = Date.now() - started;
    expect(end).toMatchObject({ state: "error", errorKind: "timeout" });
    expect(end.errorMessage).toMatch(/longer than the 600 ms the request allowed \(timeoutMs\)/);
    expect(elapsed).toBeLessThan(1_900);
  });

  it("a chat.send timeoutMs longer than the configured limit does not extend it", async () => {
    t.fake.enqueue({ text: Array.from({ length: 400 }, (_, i) => `s${i}`).join(" "), chunkDelayMs: 25 });
    const end = await t.turn("take longer", { sessionKey: "slow-3", timeoutMs: 60_000 });
    expect(end.errorMessage).toMatch(/longer than 2 s \(agents\.defaults\.timeoutSeconds\)/);
  });

  it("every chat and agent event of this file conforms to the OpenClaw protocol schema", () => {
    expect(t.events.all.length).toBeGreaterThan(0);
    expect(t.events.violations()).toEqual([]);
  });
});
