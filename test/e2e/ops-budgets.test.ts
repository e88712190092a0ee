import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentGateway, chatEventErrors, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { PINCER_BIN } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** Budgets through the real gateway: a cap reached in the middle of a tool loop stops the run cleanly. */
let t: AgentGateway;

beforeAll(async () => {
  t = await startAgentGateway((fake) => ({
    ...fakeConfig(fake),
    budgets: { global: { dailyTokens: 1000 }, agents: { main: { dailyUsd: 50 } } },
  }));
});
afterAll(async () => {
  await t?.close();
});

describe("budgets", () => {
  it("a cap reached in the middle of a tool loop ends the run with a clear error, transcript intact", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "call_1", name: "session_status", args: {} }], usage: { input: 900, output: 200 } },
      { text: "never sent" },
    );
    const final = await t.turn("check status then answer", { sessionKey: "budget-1" });
    expect(final.state).toBe("error");
    expect(chatEventErrors(final)).toBeUndefined();
    expect(final.errorMessage).toMatch(/^Budget reached: All agents together have used 1,100 tokens of the daily cap/);
    expect(final.errorMessage).toContain("budgets.global.dailyTokens");
    // Only the first step reached the model; the tool ran; the second step was refused before any request.
    expect(t.fake.requests).toHaveLength(1);
    const tool = t.events.agent(final.runId).find((e: Any) => e.stream === "tool" && e.data.phase === "result");
    expect(tool.data.isError).toBe(false);

    const history = await t.client.call<Any>("chat.history", { sessionKey: "budget-1" });
    expect(history.messages.map((m: Any) => m.role)).toEqual(["user", "assistant", "toolResult", "assistant"]);
    expect(history.messages[3]).toMatchObject({ stopReason: "error", provider: "pincer", model: "budget" });
    const budgetEvents = t.events.all.filter((e) => e.event === "budget");
    expect(budgetEvents.map((e) => e.payload.state)).toEqual(["exceeded"]);
  });

  it("later turns are refused without a model call, and the operator is told only once per period", async () => {
    const final = await t.turn("hello again", { sessionKey: "budget-2" });
    expect(final.state).toBe("error");
    expect(final.errorMessage).toMatch(/^Budget reached/);
    expect(t.fake.requests).toHaveLength(1);
    expect(t.events.all.filter((e) => e.event === "budget")).toHaveLength(1);
    const history = await t.client.call<Any>("chat.history", { sessionKey: "budget-2" });
    expect(history.messages.map((m: Any) => m.role)).toEqual(["user", "assistant"]);
  });

  it("usage.budgets tells the Control UI where each cap stands", async () => {
    const result = await t.client.call<Any>("usage.budgets");
    expect(result).toMatchObject({ enabled: true, warnAt: [0.8] });
    expect(result.standings).toEqual([
      expect.objectContaining({ scope: "global", period: "daily", unit: "tokens", spent: 1100, limit: 1000 }),
      expect.objectContaining({ scope: "agent", agentId: "main", unit: "usd", limit: 50 }),
    ]);
  });

  it("pincer usage reports the spending by day, agent and model, and the reached cap", () => {
    const env = { PATH: process.env.PATH, HOME: t.gw.stateDir, PINCER_STATE_DIR: t.gw.stateDir };
    const json = spawnSync(process.execPath, [PINCER_BIN, "usage", "--days", "2", "--json"], { env, encoding: "utf8" });
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.totals).toMatchObject({ totalTokens: 1100, calls: 1 });
    expect(report.byAgent.main).toMatchObject({ totalTokens: 1100, calls: 1 });
    expect(Object.keys(report.byModel)).toEqual(["fake/fake-model"]);
    expect(report.budgets).toEqual([
      expect.objectContaining({ scope: "global", unit: "tokens", spent: 1100, limit: 1000 }),
      expect.objectContaining({ scope: "agent", agentId: "main", unit: "usd", limit: 50 }),
    ]);
    const text = spawnSync(process.execPath, [PINCER_BIN, "usage"], { env, encoding: "utf8" });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/global daily tokens: 1,100 tokens of 1,000 tokens \(110%\)\s+REACHED/);
    expect(text.stdout).toContain("fake/fake-model");

    const bad = spawnSync(process.execPath, [PINCER_BIN, "usage", "--days", "0"], { env, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--days must be an integer from 1 to 62");
  });
});
