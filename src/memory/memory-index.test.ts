import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../config/schema.js";
import { type MemorySearchConfig, resolveMemorySearch } from "./config.js";
import { MAX_INDEXED_FILE_BYTES } from "./indexer.js";
import { MemoryIndex } from "./memory-index.js";

let dir: string;
let ws: string;
let index: MemoryIndex | undefined;

function open(memorySearch: MemorySearchConfig = {}, extra: { sessionsDir?: string } = {}): MemoryIndex {
  const config = PincerConfigSchema.parse({ agents: { defaults: { memorySearch } } });
  index = new MemoryIndex({
    dbFile: join(dir, "state", "memory.sqlite"),
    workspace: ws,
    settings: resolveMemorySearch(config, "main"),
    embeddings: {},
    ...extra,
  });
  return index;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pincer-mem-"));
  ws = join(dir, "ws");
  await mkdir(join(ws, "memory"), { recursive: true });
  await writeFile(
    join(ws, "MEMORY.md"),
    "# Memory\n\n- The user's dentist is Dr. Alvarez on Elm Street.\n- Prefers oat milk in coffee.\n",
  );
  await writeFile(join(ws, "memory", "2025-03-01.md"), "Booked train tickets to Lyon for the conference.\n");
});
afterEach(async () => {
  await index?.close();
  index = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe("lexical memory search (no API key)", () => {
  it("finds facts by words and returns the file and line range", async () => {
    const idx = open();
    const out = await idx.search("dentist Alvarez");
    expect(out.mode).toBe("lexical");
    expect(out.results[0]).toMatchObject({ path: "MEMORY.md", startLine: 1, source: "memory" });
    expect(out.results[0]?.text).toContain("Dr. Alvarez");
    expect((await idx.search("Lyon conference")).results[0]?.path).toBe("memory/2025-03-01.md");
    expect((await idx.search("zeppelin")).results).toEqual([]);
  });

  it("treats FTS5 syntax in the query as plain words", async () => {
    const idx = open();
    const out = await idx.search('coffee" OR NEAR(milk AND *');
    expect(out.results[0]?.path).toBe("MEMORY.md");
  });

  it("re-indexes only what changed, and forgets deleted files", async () => {
    const idx = open();
    const first = await idx.sync();
    expect(first.indexed.sort()).toEqual(["MEMORY.md", "memory/2025-03-01.md"]);
    expect((await idx.sync()).indexed).toEqual([]);
    await writeFile(join(ws, "memory", "2025-03-02.md"), "Paid the electricity bill.\n");
    await rm(join(ws, "memory", "2025-03-01.md"));
    const next = await idx.sync();
    expect(next.indexed).toEqual(["memory/2025-03-02.md"]);
    expect(next.removed).toEqual(["memory/2025-03-01.md"]);
    expect((await idx.search("Lyon")).results).toEqual([]);
    expect((await idx.search("electricity")).results[0]?.path).toBe("memory/2025-03-02.md");
  });

  it("finds Chinese and Japanese text inside longer runs (unicode61 and trigram)", async () => {
    await writeFile(join(ws, "memory", "2025-03-03.md"), "我每天早上喜欢喝咖啡。\n東京で寿司を食べました。\n");
    for (const tokenizer of ["unicode61", "trigram"] as const) {
      const idx = open({ store: { fts: { tokenizer } } });
      expect((await idx.search("咖啡")).results[0]?.path).toBe("memory/2025-03-03.md");
      expect((await idx.search("寿司を食べ")).results[0]?.path).toBe("memory/2025-03-03.md");
      await idx.close();
    }
  });

  it("skips a 20 MB memory file with a reason, indexes the rest, and reads it in bounded slices", async () => {
    const line = `${"filler words about nothing in particular ".repeat(5)}\n`;
    const big = line.repeat(Math.ceil((20 * 1024 * 1024) / line.length));
    expect(big.length).toBeGreaterThan(MAX_INDEXED_FILE_BYTES);
    await writeFile(join(ws, "memory", "dump.md"), big);
    const idx = open();
    const out = await idx.search("dentist");
    expect(out.results[0]?.path).toBe("MEMORY.md");
    expect(out.notes.join(" ")).toMatch(/memory\/dump\.md .*over the 10 MiB limit/);
    const status = await idx.status();
    expect(status.skipped).toEqual([expect.objectContaining({ path: "memory/dump.md" })]);
    const slice = await idx.get("memory/dump.md", 1000, 50);
    expect(slice).toMatchObject({ from: 1000, to: 1049, truncated: true });
    expect(slice.text.length).toBeLessThanOrEqual(40_000);
  });

  it("rebuilds a corrupt index file and a deleted one from the memory files", async () => {
    const idx = open();
    await idx.sync();
    await idx.close();
    await writeFile(join(dir, "state", "memory.sqlite"), "this is not a database ".repeat(400));
    await rm(join(dir, "state", "memory.sqlite-wal"), { force: true });
    const again = open();
    expect((await again.search("dentist")).results[0]?.path).toBe("MEMORY.md");
    expect((await again.status()).rebuilt).toMatch(/unreadable|not a Pincer memory index/);
    await again.close();
    await rm(join(dir, "state"), { recursive: true, force: true });
    const fresh = open();
    expect((await fresh.search("oat milk")).results[0]?.path).toBe("MEMORY.md");
  });

  it("memory_get reads line ranges of memory files only", async () => {
    const idx = open();
    const got = await idx.get("MEMORY.md", 3, 1);
    expect(got).toMatchObject({
      path: "MEMORY.md",
      from: 3,
      to: 3,
      text: "- The user's dentist is Dr. Alvarez on Elm Street.",
    });
    await writeFile(join(ws, "AGENTS.md"), "instructions");
    for (const bad of ["AGENTS.md", "../ws/AGENTS.md", "/etc/passwd", "memory/../AGENTS.md"])
      await expect(idx.get(bad)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(idx.get("MEMORY.md", 999)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("indexes session transcripts when sessions is a source", async () => {
    const sessionsDir = join(dir, "sessions");
    await mkdir(sessionsDir);
    const lines = [
      { type: "session", id: "s1", timestamp: "2025-03-01T10:00:00Z" },
      {
        type: "message",
        id: "a",
        parentId: null,
        timestamp: "2025-03-01T10:00:01Z",
        message: { role: "user", content: "my locker code is kiwi-42", timestamp: 1 },
      },
      "{torn line",
    ];
    await writeFile(
      join(sessionsDir, "s1.jsonl"),
      lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n"),
    );
    expect((await open({}, { sessionsDir }).search("locker code")).results).toEqual([]);
    await index?.close();
    const idx = open({ sources: ["memory", "sessions"] }, { sessionsDir });
    const hit = (await idx.search("locker code")).results[0];
    expect(hit).toMatchObject({ path: "sessions/s1.jsonl", source: "sessions" });
    expect((await idx.get("sessions/s1.jsonl")).text).toContain(
      "user (2025-03-01T10:00:01Z): my locker code is kiwi-42",
    );
  });
});
