import { describe, expect, it } from "vitest";
import { RunRegistry } from "../../agent/runs.js";
import { UsageSchema } from "../../sessions/messages.js";
import { agentFinalOf, awaitAgentFinal } from "./agent-final.js";

const ack = (runId: string, acceptedAt = 1_000) => ({
  runId,
  sessionKey: "agent:main:main",
  agentId: "main",
  acceptedAt,
});

describe("agentFinalOf", () => {
  it("turns a finished run into OpenClaw's final agent answer with the reply as a payload", () => {
    const final = agentFinalOf(ack("r1"), {
      status: "ok",
      text: "hello there",
      usage: UsageSchema.parse({ input: 3, output: 2, totalTokens: 5 }),
      endedAt: 1_250,
    });
    expect(final).toMatchObject({
      runId: "r1",
      status: "ok",
      summary: "completed",
      result: {
        payloads: [{ text: "hello there" }],
        meta: { durationMs: 250, agentMeta: { sessionKey: "agent:main:main", agentId: "main" } },
      },
    });
    expect(final.result.meta.usage).toMatchObject({ totalTokens: 5 });
  });

  it("reports a failure's message as the summary, with no payload for an empty reply", () => {
    const final = agentFinalOf(ack("r2"), {
      status: "error",
      text: "  ",
      error: { kind: "model", message: "provider said 500" },
      endedAt: 1_100,
    });
    expect(final).toMatchObject({ status: "error", summary: "provider said 500", result: { payloads: [] } });
    expect(final.error).toEqual({ kind: "model", message: "provider said 500" });
    expect(agentFinalOf(ack("r3"), { status: "aborted", text: "", endedAt: 1_000 }).summary).toBe("aborted");
  });

  it("says timeout when the run had not ended", () => {
    const final = agentFinalOf(ack("r4", 1_000), undefined, 4_000);
    expect(final).toMatchObject({ status: "timeout", result: { payloads: [], meta: { durationMs: 3_000 } } });
    expect(final.summary).toContain("agent.wait");
  });
});

describe("awaitAgentFinal", () => {
  it("resolves with the outcome once the run finishes", async () => {
    const runs = new RunRegistry();
    const run = runs.create("r5", "agent:main:main", "main");
    const pending = awaitAgentFinal(runs, ack("r5", run.acceptedAt), { timeoutMs: 60_000 });
    runs.start(run);
    runs.finish(run, { status: "ok", text: "done" });
    await expect(pending).resolves.toMatchObject({ status: "ok", result: { payloads: [{ text: "done" }] } });
  });

  it("stops waiting when the caller's connection closes", async () => {
    const runs = new RunRegistry();
    runs.create("r6", "agent:main:main", "main");
    const closed = new AbortController();
    const pending = awaitAgentFinal(runs, ack("r6"), { timeoutMs: 60_000, signal: closed.signal });
    closed.abort();
    await expect(pending).resolves.toMatchObject({ status: "timeout" });
  });

  it("reports an unknown run as an error rather than waiting", async () => {
    const final = await awaitAgentFinal(new RunRegistry(), ack("ghost"), { timeoutMs: 60_000 });
    expect(final).toMatchObject({ status: "error", error: { kind: "not_found" } });
  });
});
