#!/usr/bin/env node
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
/**
 * The memory index at scale, through the real MemoryIndex (dist/memory): a workspace of synthetic daily notes
 * cut into ~400-token chunks, indexed lexically (FTS5) and then embedded (sqlite-vec) through a loopback
 * embedding server that answers deterministic 384-dimension vectors (an OpenAI-compatible /v1/embeddings, so
 * the HTTP round trip of a real provider is part of every hybrid query). Reports index time, database size,
 * and memory_search latency p50/p95, lexical and hybrid.
 * Usage: node bench/memory.mjs [--sizes 10000,100000] [--queries 200] [--dims 384] [--json]
 */
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { assertBuilt, REPO_ROOT } from "./lib/pincer.mjs";
import { mb, quantile, round } from "./lib/stats.mjs";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    queries: { type: "string", default: "200" },
    dims: { type: "string", default: "384" },
    json: { type: "boolean", default: false },
  },
});
const SIZES = args.sizes.split(",").map(Number);
const QUERIES = Number(args.queries);
const DIMS = Number(args.dims);
/** Chunks per daily-note file: ~100 notes of ~1,600 characters, a heavy but plausible day. */
const CHUNKS_PER_FILE = 100;

assertBuilt();
const dist = (p) => import(pathToFileURL(join(REPO_ROOT, "dist", p)).href);
const { MemoryIndex } = await dist("memory/memory-index.js");
const { resolveMemorySearch } = await dist("memory/config.js");
const { resolveEmbeddingProvider } = await dist("memory/embeddings/resolve.js");
const { PincerConfigSchema } = await dist("config/schema.js");

/** A deterministic pseudo-random generator, so runs index the same text. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 8,000 word vocabulary with Zipf-like frequencies: common words everywhere, rare ones in few chunks. */
const VOCAB = Array.from({ length: 8000 }, (_, i) => `w${i.toString(36)}${"aeiou"[i % 5]}`);
function word(rand) {
  return VOCAB[Math.floor(VOCAB.length * rand() ** 3)];
}
function note(rand) {
  const words = [];
  for (let i = 0; i < 270; i++) words.push(word(rand));
  return `- ${words.join(" ")}`;
}

function vector(text) {
  const v = new Float64Array(DIMS);
  for (const w of text.split(/\W+/)) {
    if (!w) continue;
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
    v[(h >>> 0) % DIMS] += 1;
  }
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return Array.from(v, (x) => x / n);
}

async function startEmbeddings() {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const data = body.input.map((t, index) => ({ index, embedding: vector(t) }));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, close: () => new Promise((r) => server.close(r)) };
}

function dirSize(file) {
  let total = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      total += statSync(f).size;
    } catch {}
  }
  return total;
}

async function timeSearches(index, queries) {
  const ms = [];
  for (const q of queries) {
    const t0 = performance.now();
    await index.search(q);
    ms.push(performance.now() - t0);
  }
  return { p50: round(quantile(ms, 0.5), 2), p95: round(quantile(ms, 0.95), 2) };
}

async function runSize(chunks, embeddings) {
  const root = mkdtempSync(join(tmpdir(), "pincer-bench-memory-"));
  const ws = join(root, "ws");
  mkdirSync(join(ws, "memory"), { recursive: true });
  const rand = rng(chunks);
  const files = Math.ceil(chunks / CHUNKS_PER_FILE);
  const day0 = Date.UTC(2020, 0, 1);
  for (let f = 0; f < files; f++) {
    const notes = [];
    for (let i = 0; i < CHUNKS_PER_FILE && f * CHUNKS_PER_FILE + i < chunks; i++) notes.push(note(rand));
    const day = new Date(day0 + f * 86_400_000).toISOString().slice(0, 10);
    // A blank line between notes; each ~1,600-character note fills one 400-token chunk.
    writeFileSync(join(ws, "memory", `${day}-${f}.md`), `${notes.join("\n\n")}\n`);
  }
  const qrand = rng(7);
  const queries = Array.from({ length: QUERIES }, () => `${word(qrand)} ${word(qrand)} ${word(qrand)}`);
  const make = (memorySearch) => {
    const config = PincerConfigSchema.parse({ agents: { defaults: { memorySearch } } });
    const settings = resolveMemorySearch(config, "main");
    const provider = resolveEmbeddingProvider(settings, config, {});
    return new MemoryIndex({
      dbFile: join(root, "memory.sqlite"),
      workspace: ws,
      settings,
      embeddings: provider ? { provider } : {},
    });
  };

  const lexical = make({});
  let t0 = performance.now();
  const report = await lexical.sync();
  // As in the gateway: a watcher keeps the index fresh, so searches do not re-check the files themselves.
  lexical.watch();
  const indexSeconds = (performance.now() - t0) / 1000;
  const status = await lexical.status();
  const lexicalDbBytes = dirSize(join(root, "memory.sqlite"));
  await lexical.search("warm up");
  const lexicalLatency = await timeSearches(lexical, queries);
  await lexical.close();

  const hybrid = make({ provider: "openai-compatible", model: "bench-embed", remote: { baseUrl: embeddings.url } });
  t0 = performance.now();
  const embedReport = await hybrid.sync();
  hybrid.watch();
  const embedSeconds = (performance.now() - t0) / 1000;
  const hybridDbBytes = dirSize(join(root, "memory.sqlite"));
  await hybrid.search("warm up");
  const hybridLatency = await timeSearches(hybrid, queries);
  const mode = (await hybrid.search(queries[0])).mode;
  await hybrid.close();
  rmSync(root, { recursive: true, force: true });
  return {
    chunks: status.chunks,
    files: report.files,
    indexSeconds: round(indexSeconds, 1),
    lexicalDbMB: mb(lexicalDbBytes),
    embedSeconds: round(embedSeconds, 1),
    embedded: embedReport.embedded,
    hybridDbMB: mb(hybridDbBytes),
    lexical: lexicalLatency,
    hybrid: { ...hybridLatency, mode },
  };
}

const embeddings = await startEmbeddings();
const results = [];
for (const size of SIZES) {
  const r = await runSize(size, embeddings);
  results.push(r);
  if (!args.json)
    console.log(
      `${r.chunks} chunks (${r.files} files): lexical index ${r.indexSeconds} s, ${r.lexicalDbMB} MB; ` +
        `embedding ${r.embedSeconds} s (${DIMS} dims), ${r.hybridDbMB} MB; ` +
        `search lexical p50 ${r.lexical.p50} ms p95 ${r.lexical.p95} ms; hybrid p50 ${r.hybrid.p50} ms p95 ${r.hybrid.p95} ms`,
    );
}
await embeddings.close();
if (args.json) console.log(JSON.stringify({ dims: DIMS, queries: QUERIES, results }, null, 2));
