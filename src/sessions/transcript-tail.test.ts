import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTranscript, readTranscriptTail } from "./transcript.js";
import { buildEntry, type NewTranscriptEntry, serializeLine, type TranscriptEntry } from "./transcript-format.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pincer-tail-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TURNS = 10_000;

/** Writes a transcript directly (fast), returning its entries in order. */
async function writeTranscript(
  name: string,
  inputs: NewTranscriptEntry[],
): Promise<{ path: string; entries: TranscriptEntry[] }> {
  const path = join(dir, `${name}.jsonl`);
  const entries: TranscriptEntry[] = [];
  let parent: string | null = null;
  const lines = [serializeLine({ type: "session", version: 3, id: name, timestamp: new Date(0).toISOString() })];
  for (const [i, input] of inputs.entries()) {
    const entry = buildEntry(input, parent, i * 1000);
    parent = entry.id;
    entries.push(entry);
    lines.push(serializeLine(entry));
  }
  await writeFile(path, lines.join(""));
  return { path, entries };
}

function turn(i: number): NewTranscriptEntry[] {
  // Multi-byte text so chunk edges fall inside UTF-8 sequences somewhere in the file.
  const text = `turn ${i} — ünïcödé 🦀 ${"x".repeat(i % 97)}`;
  return [
    { type: "message", message: { role: "user", content: text, timestamp: i } },
    {
      type: "message",
      message: {
        role: "assistant",
        content: [{ type: "text", text: `reply ${i} ✓` }],
        usage: { input: 10, output: 5, totalTokens: 15 },
        timestamp: i,
      },
    },
  ];
}

const ids = (entries: TranscriptEntry[]) => entries.map((e) => e.id);

describe("readTranscriptTail on a 10,000-turn transcript", () => {
  let path: string;
  let all: TranscriptEntry[];
  let compactionId: string;
  beforeAll(async () => {
    const inputs: NewTranscriptEntry[] = [];
    for (let i = 0; i < TURNS; i++) {
      inputs.push(...turn(i));
      if (i === 100) inputs.push({ type: "compaction", summary: "early", firstKeptEntryId: "x", tokensBefore: 1 });
    }
    ({ path, entries: all } = await writeTranscript("big", inputs));
    compactionId = all.find((e) => e.type === "compaction")!.id;
  });

  it.each([64 * 1024, 1024, 333])("returns exactly the last 50 messages (chunk %d bytes)", async (chunkBytes) => {
    const tail = await readTranscriptTail(path, { limit: 50, chunkBytes });
    const messages = all.filter((e) => e.type === "message");
    expect(ids(tail.messages)).toEqual(ids(messages.slice(-50)));
    expect(tail.messages).toEqual(messages.slice(-50));
    expect(tail.lastEntryId).toBe(all.at(-1)!.id);
    expect(tail.endsWithNewline).toBe(true);
    expect(tail.skipped).toEqual([]);
  });

  it("matches a full read", async () => {
    const full = await readTranscript(path);
    const tail = await readTranscriptTail(path, { limit: 120 });
    expect(tail.messages).toEqual(full.entries.filter((e) => e.type === "message").slice(-120));
  });

  it("pages backwards with `before`", async () => {
    const messages = all.filter((e) => e.type === "message");
    const page1 = await readTranscriptTail(path, { limit: 50 });
    const page2 = await readTranscriptTail(path, { limit: 50, before: page1.messages[0]!.id, chunkBytes: 2048 });
    expect(page2.cursorFound).toBe(true);
    expect(ids(page2.messages)).toEqual(ids(messages.slice(-100, -50)));
    const missing = await readTranscriptTail(path, { limit: 50, before: "nope" });
    expect(missing.cursorFound).toBe(false);
    expect(missing.messages).toEqual([]);
  });

  it("finds a compaction far back only when asked", async () => {
    const without = await readTranscriptTail(path, { limit: 10 });
    expect(without.compaction).toBeUndefined();
    const withIt = await readTranscriptTail(path, { limit: 10, withCompaction: true });
    expect(withIt.compaction?.id).toBe(compactionId);
    expect(withIt.compaction?.summary).toBe("early");
    expect(withIt.messages).toHaveLength(10);
  });

  it("returns everything when the limit exceeds the transcript", async () => {
    const small = await writeTranscript("small", [...turn(1), ...turn(2)]);
    const tail = await readTranscriptTail(small.path, { limit: 500, chunkBytes: 1024 });
    expect(tail.messages).toEqual(small.entries);
  });
});

describe("readTranscriptTail on damaged files", () => {
  it("skips a torn last line and reports it", async () => {
    const { path, entries } = await writeTranscript("torn", [...turn(1), ...turn(2)]);
    await appendFile(path, '{"type":"message","id":"zz","par');
    const tail = await readTranscriptTail(path, { limit: 3 });
    expect(tail.endsWithNewline).toBe(false);
    expect(ids(tail.messages)).toEqual(ids(entries.slice(-3)));
    expect(tail.lastEntryId).toBe(entries.at(-1)!.id);
    expect(tail.skipped).toEqual([expect.objectContaining({ kind: "torn" })]);
  });

  it("skips garbage in the middle of the page and keeps reading", async () => {
    const a = await writeTranscript("mid", turn(1));
    await appendFile(a.path, 'not json at all\n{"type":"mystery"}\n');
    const more = buildEntry(turn(2)[0]!, a.entries.at(-1)!.id, 5);
    await appendFile(a.path, serializeLine(more));
    const tail = await readTranscriptTail(a.path, { limit: 10, chunkBytes: 1024 });
    expect(ids(tail.messages)).toEqual([...ids(a.entries), more.id]);
    expect(tail.skipped.map((s) => s.kind)).toEqual(["garbage", "unsupported"]);
    expect(tail.skipped[0]!.offset).toBeGreaterThan(0);
  });

  it("handles an empty file, a header-only file and limit 0", async () => {
    const empty = join(dir, "empty.jsonl");
    await writeFile(empty, "");
    expect(await readTranscriptTail(empty, { limit: 5 })).toMatchObject({ messages: [], lastEntryId: null, size: 0 });
    const header = await writeTranscript("header", []);
    expect(await readTranscriptTail(header.path, { limit: 5 })).toMatchObject({ messages: [], lastEntryId: null });
    const some = await writeTranscript("some", turn(1));
    const zero = await readTranscriptTail(some.path, { limit: 0 });
    expect(zero.messages).toEqual([]);
    expect(zero.lastEntryId).toBe(some.entries.at(-1)!.id);
  });

  it("reports a missing file as NOT_FOUND", async () => {
    await expect(readTranscriptTail(join(dir, "none.jsonl"), { limit: 1 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
