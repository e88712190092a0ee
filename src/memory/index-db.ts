import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { isCorruption, loadSqliteVec, openSqlite, type SqliteDb } from "./sqlite.js";

/**
 * The memory index database: a cache of the memory files (chunks, FTS5 index, vectors, an embedding cache).
 * It holds nothing that is not rebuilt from the files, so a corrupt, foreign or outdated file is deleted and
 * built again rather than repaired.
 */

/** Bump when the layout changes: older files are rebuilt. */
const SCHEMA_VERSION = "5";

export interface IndexDbOptions {
  tokenizer: "unicode61" | "trigram";
  vector: { enabled: boolean; extensionPath?: string };
}

export interface IndexDb {
  db: SqliteDb;
  file: string;
  /** Why sqlite-vec is not available, when it is not. */
  vectorUnavailable?: string;
  /** Why the file was rebuilt at open (corrupt, outdated, tokenizer changed), when it was. */
  rebuilt?: string;
}

const TOKENIZE: Record<IndexDbOptions["tokenizer"], string> = {
  unicode61: "unicode61 remove_diacritics 2",
  trigram: "trigram",
};

export function openIndexDb(file: string, opts: IndexDbOptions): IndexDb {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let rebuilt: string | undefined;
  let db: SqliteDb | undefined;
  try {
    db = openSqlite(file);
    const reason = staleReason(db, opts);
    if (reason) {
      db.close();
      db = undefined;
      rebuilt = reason;
    }
  } catch (err) {
    if (!isCorruption(err)) throw err;
    db?.close();
    db = undefined;
    rebuilt = `the index file was unreadable (${(err as Error).message})`;
  }
  if (!db) {
    removeDbFiles(file);
    db = openSqlite(file);
  }
  // Vectors are 1.5–6 KB blobs: 8 KB pages hold several per page where 4 KB pages waste a third of the file.
  // (Takes effect only on a new, empty database.)
  db.pragma("page_size = 8192");
  db.pragma("journal_mode = WAL");
  // The index is a cache: losing the last transactions in a power cut only means re-indexing them.
  db.pragma("synchronous = NORMAL");
  createSchema(db, opts);
  const vectorUnavailable = opts.vector.enabled
    ? loadSqliteVec(db, opts.vector.extensionPath)
    : "store.vector.enabled is false";
  return { db, file, ...(vectorUnavailable ? { vectorUnavailable } : {}), ...(rebuilt ? { rebuilt } : {}) };
}

/** Deletes the database with its WAL and shared-memory files. */
export function removeDbFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true });
}

function staleReason(db: SqliteDb, opts: IndexDbOptions): string | undefined {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) {
    const anyTable = db.prepare("SELECT 1 FROM sqlite_master LIMIT 1").get();
    return anyTable ? "the file is not a Pincer memory index" : undefined;
  }
  const version = getMeta(db, "schema_version");
  if (version !== SCHEMA_VERSION) return `index layout ${version ?? "unknown"} is not ${SCHEMA_VERSION}`;
  const tokenizer = getMeta(db, "tokenizer");
  if (tokenizer !== opts.tokenizer) return `the FTS tokenizer changed from ${tokenizer} to ${opts.tokenizer}`;
  // A cheap check that the FTS index and its table agree: catches truncated or half-overwritten files.
  db.prepare("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'pincer'").get();
  return undefined;
}

function createSchema(db: SqliteDb, opts: IndexDbOptions): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS files (
      path TEXT PRIMARY KEY,
      source TEXT NOT NULL,
      size INTEGER NOT NULL,
      mtime_ms INTEGER NOT NULL,
      hash TEXT NOT NULL,
      chunks INTEGER NOT NULL,
      skipped TEXT
    );
    CREATE TABLE IF NOT EXISTS chunks (
      id INTEGER PRIMARY KEY,
      path TEXT NOT NULL,
      source TEXT NOT NULL,
      start_line INTEGER NOT NULL,
      end_line INTEGER NOT NULL,
      text TEXT NOT NULL,
      hash TEXT NOT NULL,
      date_ms INTEGER
    );
    CREATE INDEX IF NOT EXISTS chunks_by_path ON chunks(path);
    CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
      text, content='chunks', content_rowid='id', tokenize='${TOKENIZE[opts.tokenizer]}'
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
    CREATE TRIGGER IF NOT EXISTS chunks_fts_insert AFTER INSERT ON chunks BEGIN
      INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER IF NOT EXISTS chunks_fts_delete AFTER DELETE ON chunks BEGIN
      INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TABLE IF NOT EXISTS chunk_vectors (id INTEGER PRIMARY KEY, vector BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS chunk_codes (id INTEGER PRIMARY KEY, code BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS embedding_cache (
      id INTEGER PRIMARY KEY,
      model_key TEXT NOT NULL,
      hash TEXT NOT NULL,
      vector BLOB NOT NULL,
      used_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS embedding_cache_key ON embedding_cache(model_key, hash);
  `);
  setMeta(db, "schema_version", SCHEMA_VERSION);
  setMeta(db, "tokenizer", opts.tokenizer);
}

export function getMeta(db: SqliteDb, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: SqliteDb, key: string, value: string): void {
  db.prepare("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
    key,
    value,
  );
}

export function deleteMeta(db: SqliteDb, key: string): void {
  db.prepare("DELETE FROM meta WHERE key = ?").run(key);
}

/**
 * Makes the stored vectors match the embedding model (`key` names provider, model and dimensions). A
 * different model's vectors are not comparable: they are dropped and every chunk is embedded again (the
 * embedding cache keeps earlier vectors per model, so switching back is cheap).
 */
export function ensureVectorSpace(db: SqliteDb, key: string): void {
  if (getMeta(db, "embedding_key") === key) return;
  db.transaction(() => {
    db.exec("DELETE FROM chunk_vectors; DELETE FROM chunk_codes");
    setMeta(db, "embedding_key", key);
    markVectorsChanged(db);
  })();
}

/**
 * Records that vectors were added or removed, so every process holding the in-memory code index
 * (vector-search.ts) reloads it before its next search.
 */
export function markVectorsChanged(db: SqliteDb): void {
  setMeta(db, "vectors_version", `${Date.now()}-${Math.random().toString(36).slice(2)}`);
}
