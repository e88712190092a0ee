import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PincerError } from "../errors.js";
import { SessionStore, type SessionStoreOptions } from "./store.js";
import { readTranscript } from "./transcript.js";
import type { NewTranscriptEntry } from "./transcript-format.js";

let agentsDir: string;
let clock: number;
const stores: SessionStore[] = [];

beforeEach(async () => {
  agentsDir = await mkdtemp(join(tmpdir(), "pincer-store-"));
  clock = new Date(2026, 0, 10, 12, 0).getTime();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  await rm(agentsDir, { recursive: true, force: true });
});

async function open(opts: SessionStoreOptions = {}, agentId = "main"): Promise<SessionStore> {
  // A long flush delay: the index is written only by explicit flushes, so tests see exactly when.
  const store = await SessionStore.open(agentsDir, agentId, { now: () => clock, flushDelayMs: 60_000, ...opts });
  stores.push(store);
  return store;
}

const sessionsDir = () => join(agentsDir, "main", "sessions");
const user = (text: string): NewTranscriptEntry => ({
  type: "message",
  message: { role: "user", content: text, timestamp: clock },
});
const assistant = (text: string, input = 100, output = 20, cost = 0.01): NewTranscriptEntry => ({
  type: "message",
  message: {
    role: "assistant",
    content: [{ type: "text", text }],
    usage: { input, output, totalTokens: input + output, cost: { total: cost } },
    stopReason: "stop",
    timestamp: clock,
  },
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (err: unknown) => (err instanceof PincerError ? err.code : String(err)),
  );
}

describe("SessionStore history from memory", () => {
  it("answers history as a fresh read of the transcript would, through appends, compaction, reset and delete", async () => {
    const store = await open();
    await store.resolve("main");
    const fresh = async () => {
      const other = await SessionStore.open(agentsDir, "main", { now: () => clock, flushDelayMs: 60_000 });
      stores.push(other);
      return other.history("main", { limit: 3 });
    };
    for (let i = 0; i < 5; i++) {
      await store.append("main", user(`q${i}`));
      await store.append("main", assistant(`a${i}`));
    }
    await store.flush();
    const mem = await store.history("main", { limit: 3 });
    expect(mem).toEqual(await fresh());
    expect(mem.messages.map((e) => e.id)).toHaveLength(3);
    const firstKept = mem.messages[0]?.id as string;
    await store.append("main", { type: "compaction", summary: "s", firstKeptEntryId: firstKept, tokensBefore: 9 });
    await store.append("main", user("after"));
    await store.flush();
    const afterCompaction = await store.history("main", { limit: 3 });
    expect(afterCompaction.compaction?.summary).toBe("s");
    expect(afterCompaction).toEqual(await fresh());
    const paged = await store.history("main", { limit: 2, before: firstKept });
    expect(paged.messages).toHaveLength(2);
    await store.reset("main");
    expect((await store.history("main", { limit: 3 })).messages).toEqual([]);
    await store.append("main", user("new"));
    expect((await store.history("main")).messages.map((e) => e.message.role)).toEqual(["user"]);
    await store.delete("main");
    expect(await store.history("main")).toEqual({ key: "agent:main:main", messages: [], skipped: [] });
  });
});

describe("SessionStore basics", () => {
  it("creates a session on first resolve, with a transcript holding its key", async () => {
    const store = await open();
    const first = await store.resolve("main");
    expect(first).toMatchObject({ key: "agent:main:main", created: true });
    expect(first.entry).toMatchObject({ createdAt: clock, updatedAt: clock, inputTokens: 0, compactionCount: 0 });
    const again = await store.resolve("agent:main:main");
    expect(again.created).toBe(false);
    expect(again.entry.sessionId).toBe(first.entry.sessionId);
    const contents = await readTranscript(join(sessionsDir(), `${first.entry.sessionId}.jsonl`));
    expect(contents.header).toMatchObject({ id: first.entry.sessionId, sessionKey: "agent:main:main", version: 3 });
    expect(store.get("MAIN")?.sessionId).toBe(first.entry.sessionId);
    expect(store.get("agent:main:other")).toBeUndefined();
  });

  it("rejects keys of another agent and malformed keys", async () => {
    const store = await open();
    expect(await codeOf(store.resolve("agent:ops:main"))).toBe("INVALID_REQUEST");
    expect(() => store.get("agent:")).toThrow(PincerError);
    expect(await codeOf(store.append("", user("x")))).toBe("INVALID_REQUEST");
  });

  it("appends, counts tokens and reads history back", async () => {
    const store = await open();
    await store.append("main", user("hello"));
    clock += 1000;
    await store.append("main", assistant("hi", 100, 20, 0.01));
    clock += 1000;
    await store.append("main", user("again"));
    const entry = await store.append("main", assistant("sure", 150, 30, 0.02));
    const row = store.get("main")!;
    expect(row).toMatchObject({ inputTokens: 250, outputTokens: 50, totalTokens: 180, lastInteractionAt: clock });
    expect(row.estimatedCostUsd).toBeCloseTo(0.03);
    expect(row.updatedAt).toBe(clock);

    const history = await store.history("main", { limit: 3 });
    expect(history.messages.map((m) => m.message.role)).toEqual(["assistant", "user", "assistant"]);
    expect(history.messages.at(-1)!.id).toBe(entry.id);
    const older = await store.history("main", { limit: 10, before: history.messages[0]!.id });
    expect(older.messages).toHaveLength(1);
    expect(await store.history("agent:main:nobody")).toEqual({ key: "agent:main:nobody", messages: [], skipped: [] });
  });

  it("serializes concurrent appends to one session into one linear chain", async () => {
    const store = await open();
    const written = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append("main", user(`m${i}`))));
    const { entries } = await readTranscript(join(sessionsDir(), `${store.get("main")!.sessionId}.jsonl`));
    expect(entries).toHaveLength(50);
    expect(entries.map((e) => e.parentId)).toEqual([null, ...entries.slice(0, -1).map((e) => e.id)]);
    expect(new Set(written.map((w) => w.id)).size).toBe(50);
  });

  it("returns the latest compaction summary with history", async () => {
    const store = await open();
    const first = await store.append("main", user("a"));
    await store.append("main", {
      type: "compaction",
      summary: "we talked",
      firstKeptEntryId: first.id,
      tokensBefore: 5000,
    });
    await store.append("main", user("b"));
    const history = await store.history("main", { limit: 1 });
    expect(history.compaction?.summary).toBe("we talked");
    expect(store.get("main")!.compactionCount).toBe(1);
  });
});

describe("patch, reset, delete", () => {
  it("patches settings, clears with null and rejects bad fields", async () => {
    const store = await open();
    const patched = await store.patch("main", { label: "Home", model: "openai/gpt-x", thinkingLevel: "high" });
    expect(patched).toMatchObject({ label: "Home", model: "openai/gpt-x", thinkingLevel: "high" });
    const cleared = await store.patch("main", { model: null });
    expect(cleared.model).toBeUndefined();
    expect(cleared.label).toBe("Home");
    expect(await codeOf(store.patch("main", { label: "" }))).toBe("INVALID_REQUEST");
    expect(await codeOf(store.patch("main", { inputTokens: 5 }))).toBe("INVALID_REQUEST");
    expect(await codeOf(store.patch("main", { contextTokens: -1 }))).toBe("INVALID_REQUEST");
    const { entries } = await readTranscript(join(sessionsDir(), `${patched.sessionId}.jsonl`));
    expect(entries.filter((e) => e.type === "custom")).toHaveLength(2);
    await store.patch("main", { label: "Home" });
    const after = await readTranscript(join(sessionsDir(), `${patched.sessionId}.jsonl`));
    expect(after.entries).toHaveLength(2);
  });

  it("reset starts a new session id, archives the old transcript and keeps settings", async () => {
    const store = await open();
    const before = await store.resolve("main");
    await store.patch("main", { label: "Home" });
    await store.append("main", assistant("x"));
    clock += 5000;
    const reset = await store.reset("main", "new");
    expect(reset.previousSessionId).toBe(before.entry.sessionId);
    expect(reset.entry.sessionId).not.toBe(before.entry.sessionId);
    expect(reset.entry).toMatchObject({
      label: "Home",
      inputTokens: 0,
      createdAt: before.entry.createdAt,
      sessionStartedAt: clock,
    });
    expect(reset.archived).toMatch(new RegExp(`${before.entry.sessionId}\\.jsonl\\.reset\\.\\d{4}-`));
    const names = await readdir(sessionsDir());
    expect(names).not.toContain(`${before.entry.sessionId}.jsonl`);
    expect((await store.history("main")).messages).toEqual([]);
  });

  it("delete archives the transcript by default, removes it on request, and persists at once", async () => {
    const store = await open();
    const a = await store.resolve("agent:main:telegram:direct:1");
    const b = await store.resolve("agent:main:telegram:direct:2");
    expect(await store.delete("agent:main:telegram:direct:1")).toMatchObject({
      deleted: true,
      archived: [expect.any(String)],
    });
    expect(await store.delete("agent:main:telegram:direct:2", { deleteTranscript: true })).toEqual({
      deleted: true,
      archived: [],
    });
    expect(await store.delete("agent:main:telegram:direct:3")).toEqual({ deleted: false, archived: [] });
    const names = await readdir(sessionsDir());
    expect(names.some((n) => n.startsWith(`${a.entry.sessionId}.jsonl.deleted.`))).toBe(true);
    expect(names.some((n) => n.startsWith(b.entry.sessionId))).toBe(false);
    const reopened = await open();
    expect(reopened.list().total).toBe(0);
  });
});

describe("reset policies", () => {
  it("daily: rolls over at the first message after the boundary, keeping the old transcript", async () => {
    const store = await open();
    const policy = { mode: "daily" as const, atHour: 4 };
    clock = new Date(2026, 0, 10, 3, 0).getTime();
    const first = await store.resolve("main", { resetPolicy: policy });
    clock = new Date(2026, 0, 10, 3, 59).getTime();
    expect((await store.resolve("main", { resetPolicy: policy })).resetReason).toBeUndefined();
    clock = new Date(2026, 0, 10, 4, 1).getTime();
    const rolled = await store.resolve("main", { resetPolicy: policy });
    expect(rolled).toMatchObject({ resetReason: "daily", previousSessionId: first.entry.sessionId, created: false });
    expect(rolled.entry.sessionStartedAt).toBe(clock);
    expect(await readdir(sessionsDir())).toContain(`${first.entry.sessionId}.jsonl`);
    clock = new Date(2026, 0, 10, 23, 0).getTime();
    expect((await store.resolve("main", { resetPolicy: policy })).resetReason).toBeUndefined();
  });

  it("idle: only real interactions keep a session alive", async () => {
    const store = await open();
    const policy = { mode: "idle" as const, idleMinutes: 30 };
    const first = await store.resolve("main", { resetPolicy: policy });
    await store.append("main", user("hi"));
    clock += 20 * 60_000;
    await store.append("main", assistant("system-ish update"));
    clock += 20 * 60_000;
    const rolled = await store.resolve("main", { resetPolicy: policy });
    expect(rolled.resetReason).toBe("idle");
    expect(rolled.previousSessionId).toBe(first.entry.sessionId);
  });

  it("archives a large transcript when the policy rolls it over", async () => {
    const store = await open({ rotateBytes: 1024 });
    const first = await store.resolve("main");
    for (let i = 0; i < 20; i++) await store.append("main", user(`message number ${i} with some padding text`));
    clock += 2 * 86_400_000;
    await store.resolve("main", { resetPolicy: { mode: "daily" } });
    const names = await readdir(sessionsDir());
    expect(names.some((n) => n.startsWith(`${first.entry.sessionId}.jsonl.reset.`))).toBe(true);
  });
});

describe("index persistence and recovery", () => {
  it("coalesces index writes until flush", async () => {
    const store = await open();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.append(`agent:main:webchat:direct:u${i}`, user("x"))),
    );
    const indexPath = join(sessionsDir(), "sessions.json");
    const before = await readFile(indexPath, "utf8").catch(() => "{}");
    expect(Object.keys(JSON.parse(before))).toHaveLength(0);
    await store.flush();
    expect(Object.keys(JSON.parse(await readFile(indexPath, "utf8")))).toHaveLength(200);
  });

  it("recovers rows the index had not written yet (crash before flush)", async () => {
    const crashed = await open();
    await crashed.patch("agent:main:slack:channel:c1", { label: "Team" });
    await crashed.append("agent:main:slack:channel:c1", assistant("x", 10, 5));
    await crashed.flush();
    await crashed.append("agent:main:slack:channel:c1", assistant("y", 1, 1));
    await crashed.append("main", user("new session after the last flush"));
    // No flush or close: as if the process died here.
    const reopened = await open();
    expect(reopened.report.reconciled.sort()).toEqual(["agent:main:main", "agent:main:slack:channel:c1"]);
    expect(reopened.get("agent:main:slack:channel:c1")).toMatchObject({
      label: "Team",
      inputTokens: 11,
      outputTokens: 6,
    });
    expect(reopened.get("main")?.lastInteractionAt).toBe(clock);
  });

  it("moves a corrupt sessions.json aside and rebuilds it from transcripts", async () => {
    const store = await open();
    await store.patch("main", { label: "Kept", thinkingLevel: "low" });
    await store.append("main", assistant("x", 7, 3));
    await store.append("agent:main:discord:group:g", user("y"));
    await store.close();
    const indexPath = join(sessionsDir(), "sessions.json");
    await writeFile(indexPath, '{"agent:main:main": {"sessionId": "trunc');
    const rebuilt = await open();
    expect(rebuilt.report).toMatchObject({
      index: "corrupt",
      movedAside: expect.stringContaining("sessions.json.corrupt."),
    });
    expect(rebuilt.get("main")).toMatchObject({ label: "Kept", thinkingLevel: "low", inputTokens: 7, outputTokens: 3 });
    expect(rebuilt.get("agent:main:discord:group:g")).toBeDefined();
    expect(JSON.parse(await readFile(indexPath, "utf8"))).toHaveProperty(["agent:main:main", "label"], "Kept");
    expect(await readFile(rebuilt.report.movedAside!, "utf8")).toContain("trunc");
  });

  it("rebuilds from the newest transcript when a key has rolled over", async () => {
    const store = await open();
    await store.append("main", user("old"));
    clock += 2 * 86_400_000;
    const rolled = await store.resolve("main", { resetPolicy: { mode: "daily" } });
    await store.append("main", user("new"));
    const report = await store.rebuildIndex();
    expect(report.reconciled).toEqual(["agent:main:main"]);
    expect(store.get("main")?.sessionId).toBe(rolled.entry.sessionId);
    expect((await store.history("main")).messages.map((m) => m.message.content)).toEqual(["new"]);
  });

  it("drops invalid rows, keeps unknown OpenClaw fields, and recreates missing transcripts", async () => {
    const dir = sessionsDir();
    await rm(dir, { recursive: true, force: true });
    await (await import("node:fs/promises")).mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "sessions.json"),
      JSON.stringify({
        "agent:main:main": {
          sessionId: "oc-1",
          updatedAt: 1000,
          chatType: "direct",
          origin: { label: "me" },
          inputTokens: 4,
        },
        "Agent:Main:Telegram:Group:G1": { sessionId: "oc-2", updatedAt: 2000 },
        "agent:main:broken": { updatedAt: "yesterday" },
      }),
    );
    const store = await open();
    expect(store.report.droppedRows.map((d) => d.key)).toEqual(["agent:main:broken"]);
    expect(store.get("agent:main:telegram:group:g1")?.sessionId).toBe("oc-2");
    await store.append("main", user("hello from pincer"));
    await store.flush();
    const index = JSON.parse(await readFile(join(dir, "sessions.json"), "utf8"));
    expect(index["agent:main:main"]).toMatchObject({ origin: { label: "me" }, inputTokens: 4, createdAt: 1000 });
    const { header, entries } = await readTranscript(join(dir, "oc-1.jsonl"));
    expect(header?.sessionKey).toBe("agent:main:main");
    expect(entries).toHaveLength(1);
  });
});

describe("list, preview, maintenance", () => {
  it("lists newest first with search, activity window and paging", async () => {
    const store = await open();
    await store.resolve("agent:main:telegram:direct:alice");
    clock += 60_000;
    await store.patch("agent:main:slack:channel:eng", { label: "Engineering" });
    clock += 60 * 60_000;
    await store.resolve("main");
    expect(store.list().items.map((i) => i.key)).toEqual([
      "agent:main:main",
      "agent:main:slack:channel:eng",
      "agent:main:telegram:direct:alice",
    ]);
    expect(store.list().items.map((i) => i.kind)).toEqual(["main", "channel", "direct"]);
    expect(store.list({ activeMinutes: 30 }).items.map((i) => i.key)).toEqual(["agent:main:main"]);
    expect(store.list({ search: "ENGINEER" }).items.map((i) => i.key)).toEqual(["agent:main:slack:channel:eng"]);
    const page = store.list({ limit: 1, offset: 1 });
    expect(page).toMatchObject({ total: 3, items: [{ key: "agent:main:slack:channel:eng" }] });
  });

  it("previews recent text per key", async () => {
    const store = await open();
    await store.append("main", user("first question"));
    await store.append("main", assistant("a".repeat(100)));
    await store.append("main", {
      type: "message",
      message: {
        role: "assistant",
        content: [{ type: "toolCall", id: "t1", name: "exec", arguments: {} }],
        timestamp: 1,
      },
    });
    await store.resolve("agent:main:cron:nightly");
    const previews = await store.preview(["main", "cron:nightly", "agent:main:nobody", "agent:other:main"], {
      limit: 5,
      maxChars: 20,
    });
    expect(previews.map((p) => p.status)).toEqual(["ok", "empty", "missing", "error"]);
    expect(previews[0]!.items).toEqual([
      { role: "user", text: "first question" },
      { role: "assistant", text: `${"a".repeat(19)}…` },
      { role: "assistant", text: "[tool: exec]" },
    ]);
  });

  it("prunes idle rows, caps the count and removes old archives", async () => {
    const day = 86_400_000;
    const store = await open();
    const old = await store.resolve("agent:main:hook:old");
    await store.reset("agent:main:hook:old");
    clock += 40 * day;
    for (const k of ["a", "b", "c"]) {
      clock += 1000;
      await store.resolve(`agent:main:webchat:direct:${k}`);
    }
    // Live transcripts no row points at (left by policy rollovers): only the stale one goes.
    const header = '{"type":"session","id":"x","timestamp":"2026-01-01T00:00:00.000Z"}\n';
    await writeFile(join(sessionsDir(), "orphan-old.jsonl"), header);
    await writeFile(join(sessionsDir(), "orphan-new.jsonl"), header);
    await utimes(join(sessionsDir(), "orphan-old.jsonl"), (clock - 31 * day) / 1000, (clock - 31 * day) / 1000);
    await utimes(join(sessionsDir(), "orphan-new.jsonl"), clock / 1000, clock / 1000);
    const report = await store.maintenance({ pruneAfterDays: 30, maxEntries: 2 });
    expect(report.orphansRemoved).toEqual(["orphan-old.jsonl"]);
    expect(report.pruned).toEqual(["agent:main:hook:old"]);
    expect(report.evicted).toEqual(["agent:main:webchat:direct:a"]);
    expect(report.archivesRemoved).toEqual([
      expect.stringMatching(new RegExp(`^${old.entry.sessionId}\\.jsonl\\.reset\\.`)),
    ]);
    expect(store.list().items.map((i) => i.key)).toEqual([
      "agent:main:webchat:direct:c",
      "agent:main:webchat:direct:b",
    ]);
    const names = await readdir(sessionsDir());
    expect(names.filter((n) => n.includes(".jsonl.deleted.")).length).toBe(2);
    const reopened = await open();
    expect(reopened.list().total).toBe(2);
  });
});
