import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Usage } from "../sessions/messages.js";
import { UsageLedger } from "./usage-ledger.js";

const DAY_MS = 86_400_000;
const NOW = Date.parse("2026-03-10T12:00:00Z");

function usage(input: number, output: number, cost: number): Usage {
  return {
    input,
    output,
    cacheRead: 0,
    cacheWrite: 0,
    reasoning: 0,
    totalTokens: input + output,
    cost: { input: cost, output: 0, cacheRead: 0, cacheWrite: 0, total: cost },
  };
}

const entry = (ts: number, model = "m1", agentId = "main", channel?: string) => ({
  ts,
  agentId,
  sessionKey: `agent:${agentId}:main`,
  provider: "p",
  model,
  ...(channel ? { channel } : {}),
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pincer-ledger-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("UsageLedger", () => {
  it("appends one line per call to the UTC day's file and totals per day", async () => {
    const ledger = new UsageLedger(dir);
    await ledger.load(NOW);
    await ledger.record(entry(NOW), usage(100, 10, 0.5));
    await ledger.record(entry(NOW - DAY_MS), usage(1, 1, 0.25));
    const lines = readFileSync(join(dir, "2026-03-10.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ input: 100, output: 10, costUsd: 0.5, model: "m1" });
    const daily = ledger.daily(3, NOW);
    expect(daily.map((d) => d.date)).toEqual(["2026-03-08", "2026-03-09", "2026-03-10"]);
    expect(daily.map((d) => d.calls)).toEqual([0, 1, 1]);
    expect(daily[2]).toMatchObject({ input: 100, output: 10, totalTokens: 110, totalCost: 0.5 });
  });

  it("reloads from disk, skipping torn and invalid lines and days too old to matter", async () => {
    const first = new UsageLedger(dir);
    await first.load(NOW);
    await first.record(entry(NOW), usage(10, 0, 0.1));
    appendFileSync(join(dir, "2026-03-10.jsonl"), '{"ts":1,"agentId":"main"}\n{"torn');
    writeFileSync(join(dir, "2025-01-01.jsonl"), `${JSON.stringify({ ...entry(0), input: 1 })}\n`);
    writeFileSync(join(dir, "notes.txt"), "ignored");
    const second = new UsageLedger(dir);
    expect(second.loaded).toBe(false);
    await second.load(NOW);
    expect(second.loaded).toBe(true);
    expect(second.daily(1, NOW)[0]).toMatchObject({ calls: 1, totalCost: 0.1 });
  });

  it("loads an empty ledger when the folder does not exist yet", async () => {
    const ledger = new UsageLedger(join(dir, "missing"));
    await ledger.load(NOW);
    expect(ledger.daily(1, NOW)[0]?.calls).toBe(0);
  });

  it("groups by model, agent and channel over the last days", async () => {
    const ledger = new UsageLedger(dir);
    await ledger.load(NOW);
    await ledger.record(entry(NOW, "m1", "main", "telegram"), usage(10, 0, 1));
    await ledger.record(entry(NOW, "m2", "work"), usage(20, 0, 2));
    await ledger.record(entry(NOW - 10 * DAY_MS, "m1"), usage(5, 0, 4));
    expect(ledger.groupBy("model", 1, NOW)).toEqual({
      "p/m1": { totalTokens: 10, totalCost: 1, calls: 1 },
      "p/m2": { totalTokens: 20, totalCost: 2, calls: 1 },
    });
    expect(ledger.groupBy("agentId", 30, NOW).main).toEqual({ totalTokens: 15, totalCost: 5, calls: 2 });
    expect(ledger.groupBy("channel", 1, NOW)).toEqual({
      telegram: { totalTokens: 10, totalCost: 1, calls: 1 },
      unknown: { totalTokens: 20, totalCost: 2, calls: 1 },
    });
  });

  it("filters daily totals", async () => {
    const ledger = new UsageLedger(dir);
    await ledger.load(NOW);
    await ledger.record(entry(NOW, "m1", "main"), usage(10, 0, 1));
    await ledger.record(entry(NOW, "m1", "work"), usage(10, 0, 2));
    expect(ledger.daily(1, NOW, (l) => l.agentId === "work")[0]?.totalCost).toBe(2);
  });

  it("sums many calls under one key and keeps every line on disk in order, across close and day changes", async () => {
    const ledger = new UsageLedger(join(dir, "usage"));
    await ledger.load(NOW);
    for (let i = 1; i <= 50; i++) await ledger.record(entry(NOW, "m1", "main", "webchat"), usage(i, 1, 0.01));
    await ledger.record(entry(NOW - DAY_MS, "m1"), usage(7, 0, 0.5));
    ledger.close();
    await ledger.record(entry(NOW, "m2", "main", "webchat"), usage(3, 0, 0.02));
    ledger.close();
    ledger.close();
    const lines = readFileSync(join(dir, "usage", "2026-03-10.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(lines).toHaveLength(51);
    expect(lines.map((l) => (JSON.parse(l) as { input: number }).input).slice(0, 3)).toEqual([1, 2, 3]);
    expect(JSON.parse(lines[50] as string)).toMatchObject({ model: "m2", sessionKey: "agent:main:main" });
    expect(ledger.daily(2, NOW)).toEqual([
      {
        date: "2026-03-09",
        input: 7,
        output: 0,
        cacheRead: 0,
        cacheWrite: 0,
        totalTokens: 7,
        totalCost: 0.5,
        calls: 1,
      },
      {
        date: "2026-03-10",
        input: 1278,
        output: 50,
        cacheRead: 0,
        cacheWrite: 0,
        totalTokens: 1328,
        totalCost: 0.52,
        calls: 51,
      },
    ]);
    const reloaded = new UsageLedger(join(dir, "usage"));
    await reloaded.load(NOW);
    expect(reloaded.daily(2, NOW)).toEqual(ledger.daily(2, NOW));
    expect(reloaded.groupBy("channel", 2, NOW)).toEqual(ledger.groupBy("channel", 2, NOW));
  });

  it("tells an absent channel from an empty one and filters on channel, provider and model", async () => {
    const ledger = new UsageLedger(dir);
    await ledger.load(NOW);
    await ledger.record(entry(NOW, "m1", "main"), usage(1, 0, 1));
    await ledger.record({ ...entry(NOW, "m1", "main"), channel: "" }, usage(2, 0, 2));
    expect(ledger.daily(1, NOW, (k) => k.channel === undefined)[0]?.totalTokens).toBe(1);
    expect(ledger.daily(1, NOW, (k) => k.channel === "")[0]?.totalTokens).toBe(2);
    expect(ledger.daily(1, NOW, (k) => k.provider === "p" && k.model === "m1")[0]?.calls).toBe(2);
  });

  it("forgets days older than any report reads once a new day starts", async () => {
    const ledger = new UsageLedger(dir);
    await ledger.load(NOW);
    await ledger.record(entry(NOW - 100 * DAY_MS), usage(1, 0, 1));
    expect(ledger.groupBy("agentId", 101, NOW).main?.calls).toBe(1);
    await ledger.record(entry(NOW), usage(1, 0, 1));
    expect(ledger.groupBy("agentId", 101, NOW).main?.calls).toBe(1);
  });

  it("fails the record when the ledger folder cannot be made", async () => {
    writeFileSync(join(dir, "file"), "not a folder");
    const ledger = new UsageLedger(join(dir, "file", "usage"));
    await ledger.load(NOW);
    await expect(ledger.record(entry(NOW), usage(1, 0, 1))).rejects.toThrow(/ENOTDIR/);
  });
});
