import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeEmbeddings, startFakeEmbeddings } from "../../test/fixtures/fake-embeddings/index.js";
import { PincerConfigSchema } from "../config/schema.js";
import { resolveMemorySearch } from "./config.js";
import { resolveEmbeddingProvider } from "./embeddings/resolve.js";
import { MemoryIndex } from "./memory-index.js";

let fake: FakeEmbeddings;
let dir: string;
let ws: string;
let index: MemoryIndex | undefined;

beforeAll(async () => {
  fake = await startFakeEmbeddings({ dims: 48 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pincer-hybrid-"));
  ws = join(dir, "ws");
  await mkdir(join(ws, "memory"), { recursive: true });
  await writeFile(join(ws, "MEMORY.md"), "# Memory\n\n- Drives an automobile to the office on Mondays.\n");
  await writeFile(join(ws, "memory", "2025-04-01.md"), "Tried the new espresso bar downtown.\n");
  await writeFile(join(ws, "memory", "2025-04-02.md"), "Walked the puppy in the park.\n");
});
afterEach(async () => {
  await index?.close();
  fake.down(false);
  await rm(dir, { recursive: true, force: true });
});

function open(provider = "openai"): MemoryIndex {
  const config = PincerConfigSchema.parse({
    agents: {
      defaults: {
        memorySearch: { provider, remote: { baseUrl: `${fake.url}/v1`, apiKey: "k" }, query: { minScore: 0.2 } },
      },
    },
  });
  const settings = resolveMemorySearch(config, "main");
  index = new MemoryIndex({
    dbFile: join(dir, "memory.sqlite"),
    workspace: ws,
    settings,
    embeddings: { provider: resolveEmbeddingProvider(settings, config, {}) },
  });
  return index;
}

describe("hybrid memory search", () => {
  it("finds a fact that shares no word with the question (car → automobile)", async () => {
    const idx = open();
    const out = await idx.search("car");
    expect(out.mode).toBe("hybrid");
    expect(out.results[0]?.path).toBe("MEMORY.md");
    expect(out.notes).toEqual([]);
    const status = await idx.status();
    expect(status).toMatchObject({ mode: "hybrid", provider: "openai", chunks: 3, embedded: 3 });
  });

  it("re-indexing unchanged text takes vectors from the embedding cache", async () => {
    const idx = open();
    await idx.sync();
    const before = fake.requests.reduce((n, r) => n + r.inputs, 0);
    const report = await idx.sync({ force: true });
    expect(report.indexed).toHaveLength(3);
    expect(report.embedded).toBe(3);
    const after = fake.requests.reduce((n, r) => n + r.inputs, 0);
    // Only the dimension probe goes out (one text); the three chunks come from the cache.
    expect(after - before).toBeLessThanOrEqual(1);
    expect((await idx.search("coffee")).results[0]?.path).toBe("memory/2025-04-01.md");
  });

  it("a provider that is down still answers with lexical results and says so", async () => {
    fake.down(true);
    const idx = open();
    const out = await idx.search("automobile office");
    expect(out.mode).toBe("lexical");
    expect(out.results[0]?.path).toBe("MEMORY.md");
    expect(out.notes.join(" ")).toMatch(/semantic search failed \(.*HTTP 503.*\); showing lexical matches/);
    expect((await idx.status()).lastSync?.report.embedError).toMatch(/HTTP 503/);
    // Back up: the next sync embeds what was missed and search is hybrid again.
    fake.down(false);
    await idx.sync();
    expect((await idx.search("canine")).results[0]?.path).toBe("memory/2025-04-02.md");
    // Down again with vectors in place: the question cannot be embedded, words still find the note.
    fake.down(true);
    const degraded = await idx.search("puppy park");
    expect(degraded).toMatchObject({ mode: "lexical" });
    expect(degraded.results[0]?.path).toBe("memory/2025-04-02.md");
    expect(degraded.notes.join(" ")).toMatch(/semantic search failed .*HTTP 503.*showing lexical matches/);
  });

  it("a provider that is not configured properly gives lexical results with the reason", async () => {
    const config = PincerConfigSchema.parse({ agents: { defaults: { memorySearch: { provider: "openai" } } } });
    const settings = resolveMemorySearch(config, "main");
    let unavailable = "";
    try {
      resolveEmbeddingProvider(settings, config, {});
    } catch (err) {
      unavailable = (err as Error).message;
    }
    index = new MemoryIndex({ dbFile: join(dir, "m.sqlite"), workspace: ws, settings, embeddings: { unavailable } });
    const out = await index.search("espresso");
    expect(out.results[0]?.path).toBe("memory/2025-04-01.md");
    expect(out.notes[0]).toMatch(/semantic search is off: .*OPENAI_API_KEY/);
  });
});
