import { type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { PincerError } from "../errors.js";
import type { ResolvedMemorySearch } from "./config.js";
import type { EmbeddingProvider } from "./embeddings/provider.js";
import { getMeta, type IndexDb, markVectorsChanged, openIndexDb, removeDbFiles } from "./index-db.js";
import { embedPending, readDocument, type SyncReport, syncFiles } from "./indexer.js";
import { type SearchOutcome, searchIndex } from "./search.js";
import { isMemoryPath, listMemoryFiles, type MemoryFile } from "./sources.js";
import { isCorruption } from "./sqlite.js";
import { listTranscripts } from "./transcripts.js";
import { CodeIndex } from "./vector-search.js";

export interface MemoryIndexOptions {
  /** The SQLite file (agents/<agentId>/memory.sqlite). */
  dbFile: string;
  workspace: string;
  settings: ResolvedMemorySearch;
  /** The agent's transcripts folder, indexed when settings.sources has "sessions". */
  sessionsDir?: string;
  /** The embedding provider, or why there is none although one is configured. */
  embeddings: { provider?: EmbeddingProvider; unavailable?: string };
  onError?: (err: unknown, what: string) => void;
}

export interface MemoryStatus {
  dbFile: string;
  workspace: string;
  files: number;
  chunks: number;
  embedded: number;
  skipped: { path: string; reason: string }[];
  provider: string;
  model?: string;
  mode: "lexical" | "hybrid";
  tokenizer: string;
  vector: { available: boolean; reason?: string };
  lastSync?: { at: number; report: SyncReport };
  rebuilt?: string;
  dbBytes?: number;
}

/** Lines memory_get returns when not told how many: enough for a note, not a whole dump. */
const DEFAULT_GET_LINES = 200;
/** Without a watcher, a search re-checks the files when the last check is older than this. */
const RESYNC_WITHOUT_WATCHER_MS = 5_000;
/** memory_get never returns more than this many characters in one call. */
const MAX_GET_CHARS = 40_000;

/**
 * One agent's memory index: opened on first use, kept in step with the files (on demand, and by a debounced
 * watcher while `watch()` runs), searched, and rebuilt from the files when the database is lost or corrupt.
 */
export class MemoryIndex {
  private handle?: IndexDb;
  private syncing?: Promise<SyncReport>;
  private dirty = true;
  private lastSync?: { at: number; report: SyncReport };
  private watchers: FSWatcher[] = [];
  private debounce?: NodeJS.Timeout;
  private rebuiltReason?: string;
  private totalChunks = 0;
  private codes?: CodeIndex;

  constructor(readonly opts: MemoryIndexOptions) {}

  private db(): IndexDb {
    this.handle ??= openIndexDb(this.opts.dbFile, {
      tokenizer: this.opts.settings.store.tokenizer,
      vector: this.opts.settings.store.vector,
    });
    return this.handle;
  }

  async files(): Promise<MemoryFile[]> {
    const files = await listMemoryFiles(this.opts.workspace, this.opts.settings.extraPaths);
    if (this.opts.settings.sources.includes("sessions") && this.opts.sessionsDir)
      files.push(...(await listTranscripts(this.opts.sessionsDir)));
    return files;
  }

  /** Re-indexes what changed. Concurrent callers share one run. */
  sync(opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<SyncReport> {
    if (this.syncing) return this.syncing;
    if (opts.force) this.clearIndex();
    this.dirty = false;
    this.syncing = this.runSync(opts.signal).finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async runSync(signal?: AbortSignal): Promise<SyncReport> {
    const attempt = async () => {
      const { db, vectorUnavailable } = this.db();
      const report = await syncFiles(db, await this.files(), this.opts.settings.chunking);
      const { provider, unavailable } = this.opts.embeddings;
      if (unavailable) report.embedError = unavailable;
      else if (provider && !vectorUnavailable) {
        try {
          report.embedded = await embedPending(db, provider, this.opts.settings.cache, signal);
        } catch (err) {
          if (isCorruption(err)) throw err;
          report.embedError = (err as Error).message;
        }
      }
      return report;
    };
    let report: SyncReport;
    try {
      report = await attempt();
    } catch (err) {
      if (!isCorruption(err)) throw err;
      this.rebuild(`the index was corrupt (${(err as Error).message})`);
      report = await attempt();
    }
    if (report.indexed.length + report.removed.length + report.embedded > 0) {
      // Fold the write-ahead log back into the database so the file on disk is the index's real size.
      this.db().db.pragma("wal_checkpoint(TRUNCATE)");
    }
    this.totalChunks = (this.db().db.prepare("SELECT count(*) AS n FROM chunks").get() as { n: number }).n;
    this.lastSync = { at: Date.now(), report };
    return report;
  }

  /** Empties the index but keeps the embedding cache, so unchanged text is not paid for twice. */
  private clearIndex(): void {
    const { db } = this.db();
    db.transaction(() => {
      db.exec(
        "DELETE FROM chunks; DELETE FROM files; DELETE FROM chunk_vectors; DELETE FROM chunk_codes; DELETE FROM meta WHERE key = 'embedding_key'",
      );
      markVectorsChanged(db);
    })();
    this.dirty = true;
  }

  /** Drops the database; the next use builds it again from the files. */
  private rebuild(reason: string): void {
    this.handle?.db.close();
    this.handle = undefined;
    this.codes = undefined;
    removeDbFiles(this.opts.dbFile);
    this.rebuiltReason = reason;
    this.dirty = true;
  }
  async search(
    query: string,
    overrides: { maxResults?: number; minScore?: number } = {},
    signal?: AbortSignal,
  ): Promise<SearchOutcome> {
    if (!query.trim())
      throw new PincerError("INVALID_REQUEST", "memory search needs a query: a few words about what to find");
    const stale =
      !this.lastSync || (this.watchers.length === 0 && Date.now() - this.lastSync.at > RESYNC_WITHOUT_WATCHER_MS);
    if (this.dirty || stale) await this.sync({ ...(signal ? { signal } : {}) });
    const s = this.opts.settings;
    const embedError = this.lastSync?.report.embedError;
    const run = () =>
      searchIndex(
        this.db().db,
        query,
        {
          nowMs: Date.now(),
          maxResults: overrides.maxResults ?? s.query.maxResults,
          minScore: overrides.minScore ?? s.query.minScore,
          vectorWeight: s.query.hybrid.vectorWeight,
          textWeight: s.query.hybrid.textWeight,
          candidateMultiplier: s.query.hybrid.candidateMultiplier,
          hybridEnabled: s.query.hybrid.enabled,
          mmr: s.query.hybrid.mmr,
          temporalDecay: s.query.hybrid.temporalDecay,
          tokenizer: s.store.tokenizer,
          totalChunks: this.totalChunks,
        },
        {
          ...this.vectorState(),
          ...(embedError ? { indexError: embedError } : {}),
          codes: () => this.codeIndex(),
          pending: () => Math.max(0, this.totalChunks - this.codeIndex().size),
        },
        signal,
      );
    let outcome: SearchOutcome;
    try {
      outcome = await run();
    } catch (err) {
      if (!isCorruption(err)) throw err;
      this.rebuild(`the index was corrupt (${(err as Error).message})`);
      await this.sync();
      outcome = await run();
      outcome.notes.push("the memory index was corrupt and has been rebuilt from the memory files");
    }
    const skipped = this.lastSync?.report.skipped ?? [];
    if (skipped.length > 0)
      outcome.notes.push(`not indexed: ${skipped.map((s) => `${s.path} (${s.reason})`).join("; ")}`);
    return outcome;
  }

  /** The in-memory sign codes, reloaded when the database's vectors changed (here or in another process). */
  private codeIndex(): CodeIndex {
    const { db } = this.db();
    const version = getMeta(db, "vectors_version") ?? "";
    if (!this.codes || this.codes.version !== version) this.codes = CodeIndex.load(db);
    return this.codes;
  }

  private vectorState(): { provider?: EmbeddingProvider; unavailable?: string } {
    const { provider, unavailable } = this.opts.embeddings;
    if (unavailable) return { unavailable };
    if (!provider) return {};
    const vec = this.db().vectorUnavailable;
    return vec ? { unavailable: vec } : { provider };
  }

  /** Lines of one memory file (1-based `from`), refusing paths that are not memory files. */
  async get(
    path: string,
    from = 1,
    lines = DEFAULT_GET_LINES,
  ): Promise<{ path: string; from: number; to: number; total: number; text: string; truncated: boolean }> {
    const file = isMemoryPath(path, await this.files());
    if (!file)
      throw new PincerError(
        "NOT_FOUND",
        `${path} is not a memory file: memory_get reads MEMORY.md, memory/*.md, configured extraPaths and indexed transcripts (use a path from memory_search results)`,
      );
    const text = await readDocument(file);
    const all = text.split("\n");
    // A final newline ends the last line; it does not start another.
    if (all.length > 1 && all[all.length - 1] === "") all.pop();
    const start = Math.max(1, from);
    if (start > all.length && all.length > 0)
      throw new PincerError("INVALID_REQUEST", `from ${from} is past the end of ${file.path} (${all.length} lines)`);
    let out = all.slice(start - 1, start - 1 + lines).join("\n");
    let truncated = start - 1 + lines < all.length;
    if (out.length > MAX_GET_CHARS) {
      out = out.slice(0, MAX_GET_CHARS);
      truncated = true;
    }
    const to = start - 1 + out.split("\n").length;
    return { path: file.path, from: start, to: Math.min(to, all.length), total: all.length, text: out, truncated };
  }

  async status(): Promise<MemoryStatus> {
    if (!this.lastSync) await this.sync();
    const { db, vectorUnavailable, rebuilt } = this.db();
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const skipped = db.prepare("SELECT path, skipped AS reason FROM files WHERE skipped IS NOT NULL").all() as {
      path: string;
      reason: string;
    }[];
    const { provider, unavailable } = this.opts.embeddings;
    const hybrid = Boolean(
      provider && !unavailable && !vectorUnavailable && getMeta(db, "embedding_key") === provider.key,
    );
    const dbBytes = await stat(this.opts.dbFile).then(
      (st) => st.size,
      () => undefined,
    );
    const reason = unavailable ?? vectorUnavailable;
    const rebuiltWhy = this.rebuiltReason ?? rebuilt;
    return {
      dbFile: this.opts.dbFile,
      workspace: this.opts.workspace,
      files: count("SELECT count(*) AS n FROM files"),
      chunks: count("SELECT count(*) AS n FROM chunks"),
      embedded: count("SELECT count(*) AS n FROM chunk_vectors"),
      skipped,
      provider: this.opts.settings.provider,
      ...(provider ? { model: provider.model } : {}),
      mode: hybrid ? "hybrid" : "lexical",
      tokenizer: this.opts.settings.store.tokenizer,
      vector: { available: !vectorUnavailable, ...(reason ? { reason } : {}) },
      ...(this.lastSync ? { lastSync: this.lastSync } : {}),
      ...(rebuiltWhy ? { rebuilt: rebuiltWhy } : {}),
      ...(dbBytes !== undefined ? { dbBytes } : {}),
    };
  }

  /**
   * Watches the memory files and re-indexes after `watchDebounceMs` of quiet. Watching is best effort (some
   * file systems do not report changes): a search also re-checks files the watcher marked or never saw.
   */
  watch(): void {
    if (this.watchers.length > 0 || !this.opts.settings.sync.watch) return;
    const onChange = () => {
      this.dirty = true;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        void this.sync().catch((err) => this.opts.onError?.(err, "memory re-index"));
      }, this.opts.settings.sync.watchDebounceMs);
      this.debounce.unref();
    };
    const targets: [string, boolean][] = [
      [this.opts.workspace, false],
      [join(this.opts.workspace, "memory"), true],
    ];
    if (this.opts.settings.sources.includes("sessions") && this.opts.sessionsDir)
      targets.push([this.opts.sessionsDir, false]);
    for (const [dir, recursive] of targets) {
      try {
        const w = watch(dir, { recursive, persistent: false }, onChange);
        w.on("error", () => w.close());
        this.watchers.push(w);
      } catch {
        // A folder that does not exist yet: searches still sync on demand.
      }
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    await this.syncing?.catch(() => undefined);
    this.handle?.db.close();
    this.handle = undefined;
    await this.opts.embeddings.provider?.close?.();
  }
}
