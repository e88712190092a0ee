import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../fixtures/fake-llm/index.js";
import { type AgentGateway, agentEventErrors, fakeConfig, startAgentGateway, textOf } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * Compaction through the gateway: an 8,000-token window, compaction at 80 % of it, two recent turns kept.
 * Turns of ~2,000 tokens make the fourth turn compact, with room for a system prompt of up to ~1,400 tokens.
 * The fake answers summary requests (recognised by the summarizer's system prompt) with a fixed summary and
 * echoes everything else, so each turn costs about twice its message.
 */
let t: AgentGateway;
const SUMMARY = "SUMMARY: the user sent numbered long messages about topics one to three.";

const isSummaryRequest = (req: RecordedRequest) =>
  JSON.stringify(req.body.messages?.[0] ?? "").includes("You compress a conversation");

beforeAll(async () => {
  t = await startAgentGateway((fake) =>
    fakeConfig(fake, { contextWindow: 8_000, agentDefaults: { compaction: { keepRecentTurns: 2 } } }),
  );
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.fake.reset();
  t.fake.setDefault((req) => (isSummaryRequest(req) ? { text: SUMMARY } : { text: `ack ${req.lastUserText}` }));
});

/**
 * ~1,000 tokens of text that names its topic, so a request can be searched for it. One long word after the
 * topic: the fake streams a reply word by word, and fewer frames keep the file fast.
 */
const long = (topic: string) => `${topic} ${"z".repeat(4_000)}`;

const compactionCount = async (key: string): Promise<number> => {
  const list = await t.client.call<Any>("sessions.list", {});
  return list.sessions.find((s: Any) => s.key === key)?.compactionCount ?? 0;
};

describe("compaction through the gateway", () => {
  it("compacts a long session automatically: summary plus recent turns go to the model, the transcript keeps all", async () => {
    const topics = ["topic-one", "topic-two", "topic-three", "topic-four", "topic-five", "topic-six"];
    for (const topic of topics.slice(0, 5)) {
      const final = await t.turn(long(topic), { sessionKey: "auto-1" });
      expect(final.state).toBe("final");
    }
    const summaries = t.fake.requests.filter(isSummaryRequest);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    // Progress goes out on the agent `compaction` stream, as OpenClaw clients expect.
    const progress = t.events.all.filter((e) => e.event === "agent" && e.payload.stream === "compaction");
    expect(progress[0]?.payload.data).toMatchObject({ phase: "start", reason: "threshold" });
    expect(progress[1]?.payload.data).toMatchObject({ phase: "end", completed: true });
    expect(progress[1]?.payload.data.tokensAfter).toBeLessThan(progress[1]?.payload.data.tokensBefore);
    for (const e of progress) expect(agentEventErrors(e.payload)).toBeUndefined();
    // The first summary request carries the oldest turns.
    expect(JSON.stringify(summaries[0]?.body.messages)).toContain("topic-one");

    t.fake.requests.length = 0;
    await t.turn(long(topics[5] as string), { sessionKey: "auto-1" });
    const turnRequest = t.fake.requests.filter((r) => !isSummaryRequest(r)).at(-1);
    const sent = JSON.stringify(turnRequest?.body.messages);
    expect(sent).toContain(SUMMARY);
    expect(sent).toContain("topic-six");
    expect(sent).toContain("topic-five");
    expect(sent).not.toContain("topic-one");
    expect(sent).not.toContain("topic-two");

    const history = await t.client.call<Any>("chat.history", { sessionKey: "auto-1" });
    expect(history.compaction.summary).toBe(SUMMARY);
    // Every original line is still in the transcript.
    const file = join(t.gw.stateDir, "agents", "main", "sessions", `${history.sessionId}.jsonl`);
    const lines = readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.type === "compaction" && l.summary === SUMMARY)).toBe(true);
    for (const topic of topics) expect(lines.some((l) => JSON.stringify(l.message ?? "").includes(topic))).toBe(true);
    expect(history.messages.filter((m: Any) => m.role === "user")).toHaveLength(6);

    const list = await t.client.call<Any>("sessions.list", {});
    const row = list.sessions.find((s: Any) => s.key === "agent:main:auto-1");
    expect(row.compactionCount).toBeGreaterThanOrEqual(1);
    // Summary calls are paid for too: they reach the usage ledger.
    const cost = await t.client.call<Any>("usage.cost", { days: 1 });
    expect(cost.totals.calls).toBeGreaterThanOrEqual(7);
  });

  it("/compact compacts on demand with the user's instructions", async () => {
    for (const word of ["short-a", "short-b", "short-c"]) await t.turn(word, { sessionKey: "manual-1" });
    t.fake.requests.length = 0;
    const final = await t.turn("/compact keep the names", { sessionKey: "manual-1" });
    expect(final.state).toBe("final");
    expect(textOf(final.message)).toMatch(/^Compacted the conversation/);
    const summaryReq = t.fake.requests.find(isSummaryRequest);
    expect(summaryReq?.lastUserText).toContain("Extra instructions from the user: keep the names");
    expect(summaryReq?.lastUserText).toContain("short-a");
    const history = await t.client.call<Any>("chat.history", { sessionKey: "manual-1" });
    expect(history.compaction.summary).toBe(SUMMARY);

    t.fake.requests.length = 0;
    await t.turn("short-d", { sessionKey: "manual-1" });
    const sent = JSON.stringify(t.fake.requests.at(-1)?.body.messages);
    expect(sent).toContain(SUMMARY);
    expect(sent).not.toContain("short-a");
    expect(sent).toContain("short-c");
  });

  it("sessions.compact goes through the session queue and reports what it did", async () => {
    const nothing = await t.client.call<Any>("sessions.compact", { key: "fresh-1" });
    expect(nothing).toMatchObject({ ok: true, message: "Nothing to compact yet." });
    for (const word of ["q-1", "q-2", "q-3"]) await t.turn(word, { sessionKey: "fresh-1" });
    const res = await t.client.call<Any>("sessions.compact", { key: "fresh-1" });
    expect(res.ok).toBe(true);
    expect(res.key).toBe("agent:main:fresh-1");
    expect(res.message).toMatch(/^Compacted the conversation/);
  });

  it("a failing summary call leaves the turn to run uncompacted", async () => {
    for (const topic of ["fail-one", "fail-two", "fail-three"]) await t.turn(long(topic), { sessionKey: "fail-1" });
    const countBefore = await compactionCount("agent:main:fail-1");
    t.fake.setDefault((req) =>
      isSummaryRequest(req)
        ? { error: { status: 400, message: "no summaries today" } }
        : { text: `still here ${req.lastUserText}` },
    );
    const final = await t.turn(long("fail-four"), { sessionKey: "fail-1" });
    expect(final.state).toBe("final");
    expect(textOf(final.message)).toMatch(/^still here fail-four/);
    const end = t.events.agent(final.runId).find((e: Any) => e.stream === "compaction" && e.data.phase === "end");
    expect(end.data).toMatchObject({ completed: false });
    expect(end.data.error).toContain("no summaries today");
    expect(t.fake.requests.some(isSummaryRequest)).toBe(true);
    expect(await compactionCount("agent:main:fail-1")).toBe(countBefore);
  });

  it("every chat and agent event of this file conforms to the OpenClaw protocol schema", () => {
    expect(t.events.all.length).toBeGreaterThan(0);
    expect(t.events.violations()).toEqual([]);
  });
});
