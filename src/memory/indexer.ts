import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { PincerError } from "../errors.js";
import { chunkText } from "./chunking.js";
import type { EmbeddingProvider } from "./embeddings/provider.js";
import { ensureVectorSpace, markVectorsChanged } from "./index-db.js";
import { dateFromPath } from "./ranking.js";
import type { MemoryFile } from "./sources.js";
import type { SqliteDb } from "./sqlite.js";
import { readTranscriptText } from "./transcripts.js";
import { signCode } from "./vector-search.js";

/**
 * Brings the index in line with the files: new and changed files are chunked again, removed ones dropped,
 * unchanged ones (same size and mtime, or same content hash) left alone. Then chunks without a vector are
 * embedded, reusing cached vectors for text seen before. Embedding failures leave the lexical index complete.
 */

/**
 * Files above this are listed in the status but not indexed: 10 MiB is ~2.6 M tokens (~6,500 chunks) — a
 * document dump rather than notes, and a surprise bill with a paid embedding provider.
 */
export const MAX_INDEXED_FILE_BYTES = 10 * 1024 * 1024;
/** Chunks embedded per round trip to the provider (and per transaction). */
const EMBED_ROUND = 256;

export interface SyncReport {
  files: number;
  indexed: string[];
  removed: string[];
  skipped: { path: string; reason: string }[];
  embedded: number;
  /** Why embedding stopped, when it did (the provider is down, no key, …). */
  embedError?: string;
}

interface FileRow {
  path: string;
  size: number;
  mtime_ms: number;
  hash: string;
}

export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

export async function readDocument(file: MemoryFile): Promise<string> {
  return file.source === "sessions" ? readTranscriptText(file.abs) : readFile(file.abs, "utf8");
}

export async function syncFiles(
  db: SqliteDb,
  files: MemoryFile[],
  chunking: { tokens: number; overlap: number },
): Promise<SyncReport> {
  const report: SyncReport = { files: files.length, indexed: [], removed: [], skipped: [], embedded: 0 };
  const known = new Map<string, FileRow>();
  for (const row of db.prepare("SELECT path, size, mtime_ms, hash FROM files").all() as FileRow[])
    known.set(row.path, row);
  const insertChunk = db.prepare(
    "INSERT INTO chunks(path, source, start_line, end_line, text, hash, date_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const deleteChunks = db.prepare("DELETE FROM chunks WHERE path = ?");
  const deleteVectors = db.prepare("DELETE FROM chunk_vectors WHERE id IN (SELECT id FROM chunks WHERE path = ?)");
  const deleteCodes = db.prepare("DELETE FROM chunk_codes WHERE id IN (SELECT id FROM chunks WHERE path = ?)");
  let vectorsRemoved = false;
  const upsertFile = db.prepare(
    `INSERT INTO files(path, source, size, mtime_ms, hash, chunks, skipped) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(path) DO UPDATE SET source = excluded.source, size = excluded.size, mtime_ms = excluded.mtime_ms,
       hash = excluded.hash, chunks = excluded.chunks, skipped = excluded.skipped`,
  );
  const touchFile = db.prepare("UPDATE files SET size = ?, mtime_ms = ? WHERE path = ?");
  const deleteFile = db.prepare("DELETE FROM files WHERE path = ?");
  const clear = (path: string) => {
    if (deleteVectors.run(path).changes > 0) vectorsRemoved = true;
    deleteCodes.run(path);
    deleteChunks.run(path);
  };

  for (const file of files) {
    const prev = known.get(file.path);
    known.delete(file.path);
    if (prev && prev.size === file.size && prev.mtime_ms === file.mtimeMs) continue;
    if (file.source === "memory" && file.size > MAX_INDEXED_FILE_BYTES) {
      const reason = `${(file.size / 1048576).toFixed(1)} MiB is over the ${MAX_INDEXED_FILE_BYTES / 1048576} MiB limit for indexed files; split it into smaller notes`;
      db.transaction(() => {
        clear(file.path);
        upsertFile.run(file.path, file.source, file.size, file.mtimeMs, "", 0, reason);
      })();
      report.skipped.push({ path: file.path, reason });
      continue;
    }
    let text: string;
    try {
      text = await readDocument(file);
    } catch {
      // Deleted or unreadable between listing and reading: the next sync sees the new state.
      continue;
    }
    const hash = hashText(text);
    if (prev && prev.hash === hash) {
      touchFile.run(file.size, file.mtimeMs, file.path);
      continue;
    }
    const chunks = chunkText(text, chunking);
    const dateMs = file.source === "sessions" ? file.mtimeMs : (dateFromPath(file.path) ?? null);
    db.transaction(() => {
      clear(file.path);
      for (const c of chunks)
        insertChunk.run(file.path, file.source, c.startLine, c.endLine, c.text, hashText(c.text), dateMs);
      upsertFile.run(file.path, file.source, file.size, file.mtimeMs, hash, chunks.length, null);
    })();
    report.indexed.push(file.path);
  }
  for (const path of known.keys()) {
    db.transaction(() => {
      clear(path);
      deleteFile.run(path);
    })();
    report.removed.push(path);
  }
  if (vectorsRemoved) markVectorsChanged(db);
  return report;
}

/** Embeds every chunk that has no vector yet; returns how many were embedded. Throws on provider failure. */
export async function embedPending(
  db: SqliteDb,
  provider: EmbeddingProvider,
  cache: { enabled: boolean; maxEntries: number },
  signal?: AbortSignal,
): Promise<number> {
  ensureVectorSpace(db, provider.key);
  // A chunk without a row in chunk_vectors is not embedded yet; the id cursor keeps each round from
  // re-reading the chunks already done (or skipped) in this run.
  const pending = db.prepare(
    `SELECT c.id, c.text, c.hash FROM chunks c
     WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.id = c.id) ORDER BY c.id LIMIT ?`,
  );
  let cursor = 0;
  const cached = db.prepare("SELECT vector FROM embedding_cache WHERE model_key = ? AND hash = ?");
  const touch = db.prepare("UPDATE embedding_cache SET used_at = ? WHERE model_key = ? AND hash = ?");
  const remember = db.prepare(
    "INSERT OR REPLACE INTO embedding_cache(model_key, hash, vector, used_at) VALUES (?, ?, ?, ?)",
  );
  const insertVec = db.prepare("INSERT OR REPLACE INTO chunk_vectors(id, vector) VALUES (?, ?)");
  const insertCode = db.prepare("INSERT OR REPLACE INTO chunk_codes(id, code) VALUES (?, ?)");
  let dims: number | undefined;
  let done = 0;
  for (;;) {
    signal?.throwIfAborted();
    const rows = pending.all(cursor, EMBED_ROUND) as { id: number; text: string; hash: string }[];
    if (rows.length === 0) break;
    cursor = (rows[rows.length - 1] as { id: number }).id;
    const vectors = new Map<number, Float32Array>();
    const misses: typeof rows = [];
    for (const row of rows) {
      const hit = cache.enabled ? (cached.get(provider.key, row.hash) as { vector: Buffer } | undefined) : undefined;
      if (hit)
        vectors.set(row.id, new Float32Array(hit.vector.buffer, hit.vector.byteOffset, hit.vector.byteLength / 4));
      else misses.push(row);
    }
    if (misses.length > 0) {
      const fresh = await provider.embed(
        misses.map((m) => m.text),
        "document",
        signal,
      );
      misses.forEach((m, i) => {
        vectors.set(m.id, Float32Array.from(fresh[i] as number[]));
      });
    }
    const now = Date.now();
    db.transaction(() => {
      for (const row of rows) {
        const v = vectors.get(row.id) as Float32Array;
        dims ??= v.length;
        if (v.length !== dims)
          throw new PincerError(
            "UNAVAILABLE",
            `${provider.id} embeddings changed size mid-index (${dims} → ${v.length} dimensions)`,
          );
        const code = signCode(v);
        insertVec.run(row.id, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
        insertCode.run(row.id, Buffer.from(code.buffer, code.byteOffset, code.byteLength));
        if (cache.enabled) {
          if (misses.includes(row))
            remember.run(provider.key, row.hash, Buffer.from(v.buffer, v.byteOffset, v.byteLength), now);
          else touch.run(now, provider.key, row.hash);
        }
      }
      markVectorsChanged(db);
    })();
    done += rows.length;
  }
  if (cache.enabled) pruneCache(db, cache.maxEntries);
  return done;
}

/** Keeps the embedding cache at `maxEntries`, dropping the least recently used vectors. */
function pruneCache(db: SqliteDb, maxEntries: number): void {
  const { n } = db.prepare("SELECT count(*) AS n FROM embedding_cache").get() as { n: number };
  if (n <= maxEntries) return;
  db.prepare("DELETE FROM embedding_cache WHERE id IN (SELECT id FROM embedding_cache ORDER BY used_at LIMIT ?)").run(
    n - maxEntries,
  );
}
