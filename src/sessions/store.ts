import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { PincerError } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import { INDEX_FILE_NAME, writeIndexFile } from "./index-file.js";
import { loadSessionIndex, type RecoveryContext, type RecoveryReport, rebuildSessionIndex } from "./index-recovery.js";
import { CoalescedWriter } from "./index-writer.js";
import { normalizeAgentId, normalizeMainKey, parseSessionKey, type SessionKeyDefaults } from "./keys.js";
import { DAY_MS, type MaintenanceOptions, planMaintenance, removeExpiredFiles } from "./maintenance.js";
import { KeyedQueue } from "./queue.js";
import { RecentMessages } from "./recent-messages.js";
import { evaluateResetPolicy, type ResetPolicy, type ResetReason } from "./reset-policy.js";
import {
  applyPatch,
  applyTranscriptEntry,
  newSessionEntry,
  parsePatch,
  SESSION_PATCH_CUSTOM_TYPE,
  type SessionEntry,
} from "./session-entry.js";
import { SessionFiles } from "./session-files.js";
import { type ListOptions, listSessions, previewItems, type SessionList, type SessionPreview } from "./store-views.js";
import {
  type CompactionEntry,
  type MessageEntry,
  type NewTranscriptEntry,
  readTranscriptTail,
  type SkippedLine,
  type TranscriptEntry,
} from "./transcript.js";

export type { RecoveryReport } from "./index-recovery.js";
export type { MaintenanceOptions } from "./maintenance.js";
export type { ListOptions, SessionList, SessionListItem, SessionPreview } from "./store-views.js";

/** Index writes are coalesced over this window: 200 busy sessions cost one rewrite, not 200. */
export const DEFAULT_INDEX_FLUSH_DELAY_MS = 1_000;
/** Transcripts at least this large are archived when their session rolls over by policy. */
export const DEFAULT_ROTATE_BYTES = 10 * 1024 * 1024;

export interface SessionStoreOptions {
  /** `session.mainKey`. */
  mainKey?: string;
  /** Clock (epoch ms); tests inject one. */
  now?: () => number;
  flushDelayMs?: number;
  rotateBytes?: number;
  /** fsync every transcript line (power-loss safety at a disk-flush per line). */
  syncWrites?: boolean;
  /** Recorded in new transcript headers (the agent's workspace). */
  cwd?: string;
  logger?: Pick<Logger, "warn" | "info">;
}

export interface ResolveResult {
  key: string;
  entry: SessionEntry;
  created: boolean;
  resetReason?: ResetReason;
  previousSessionId?: string;
}

export interface HistoryResult {
  key: string;
  sessionId?: string;
  /** Oldest first. */
  messages: MessageEntry[];
  /** The newest compaction summary before the page, when the session has one. */
  compaction?: CompactionEntry;
  skipped: SkippedLine[];
}

export interface MaintenanceReport {
  pruned: string[];
  evicted: string[];
  archivesRemoved: string[];
  orphansRemoved: string[];
}

/**
 * The sessions of one agent: an index (`sessions.json`, keyed by session key) over append-only
 * transcripts (`<sessionId>.jsonl`), which are the source of truth. One process owns a state dir, so
 * there is no lock file; writes are serialized per session key in process. The index is written
 * atomically and coalesced; after a crash it is reconciled from the transcripts on the next open.
 */
export class SessionStore {
  readonly sessionsDir: string;
  readonly indexPath: string;
  private readonly queue = new KeyedQueue();
  private readonly files: SessionFiles;
  private readonly keyDefaults: SessionKeyDefaults;
  private readonly clock: () => number;
  private readonly writer: CoalescedWriter;
  private exclusive: Promise<void> | undefined;
  private entries = new Map<string, SessionEntry>();
  /** Newest messages of recently used sessions, so a turn does not read its context back from disk. */
  private readonly recent = new RecentMessages();
  /** What opening (or the last rebuild) found and repaired. */
  report: RecoveryReport = { index: "loaded", droppedRows: [], reconciled: [], unmappedTranscripts: [] };

  private constructor(
    readonly agentId: string,
    agentsDir: string,
    private readonly opts: SessionStoreOptions,
  ) {
    this.sessionsDir = join(agentsDir, agentId, "sessions");
    this.indexPath = join(this.sessionsDir, INDEX_FILE_NAME);
    this.keyDefaults = { defaultAgentId: agentId, mainKey: normalizeMainKey(opts.mainKey) };
    this.clock = opts.now ?? Date.now;
    this.files = new SessionFiles(this.sessionsDir, { sync: opts.syncWrites, cwd: opts.cwd, now: this.clock });
    this.writer = new CoalescedWriter(
      // writeIndexFile serializes the map before its first await, as CoalescedWriter requires.
      () => writeIndexFile(this.indexPath, this.entries),
      opts.flushDelayMs ?? DEFAULT_INDEX_FLUSH_DELAY_MS,
      (err) => opts.logger?.warn({ err, path: this.indexPath }, "writing sessions.json failed; will retry"),
    );
  }

  /** Opens (creating the folder if needed) the store of `<agentsDir>/<agentId>/sessions`. */
  static async open(agentsDir: string, agentId: string, opts: SessionStoreOptions = {}): Promise<SessionStore> {
    const store = new SessionStore(normalizeAgentId(agentId), agentsDir, opts);
    await mkdir(store.sessionsDir, { recursive: true, mode: 0o700 });
    await store.load();
    return store;
  }

  private recoveryContext(): RecoveryContext {
    return {
      sessionsDir: this.sessionsDir,
      indexPath: this.indexPath,
      agentId: this.agentId,
      keyDefaults: this.keyDefaults,
      now: this.clock(),
      logger: this.opts.logger,
    };
  }

  private async load(): Promise<void> {
    const loaded = await loadSessionIndex(this.recoveryContext());
    this.entries = loaded.entries;
    this.report = loaded.report;
    if (loaded.changed) {
      this.writer.markDirty();
      await this.writer.flush();
    }
  }

  /** Canonical key; INVALID_REQUEST for malformed keys or keys of another agent. */
  keyOf(raw: string): string {
    const parsed = parseSessionKey(raw, this.keyDefaults);
    if (parsed.agentId !== this.agentId) {
      throw new PincerError(
        "INVALID_REQUEST",
        `session key "${raw}" belongs to agent "${parsed.agentId}", but this store holds agent "${this.agentId}"`,
      );
    }
    return parsed.key;
  }

  get(key: string): SessionEntry | undefined {
    const entry = this.entries.get(this.keyOf(key));
    return entry ? structuredClone(entry) : undefined;
  }

  list(opts: ListOptions = {}): SessionList {
    return listSessions(this.entries, opts, opts.now ?? this.clock());
  }

  /** The session for an inbound message: created on first use, rolled over when the reset policy says so. */
  async resolve(rawKey: string, opts: { now?: number; resetPolicy?: ResetPolicy } = {}): Promise<ResolveResult> {
    const key = this.keyOf(rawKey);
    return this.keyed(key, async () => {
      const now = opts.now ?? this.clock();
      const current = this.entries.get(key);
      if (!current) return { key, entry: structuredClone(await this.create(key, now)), created: true };
      const reason = opts.resetPolicy ? evaluateResetPolicy(current, opts.resetPolicy, now) : undefined;
      if (!reason) return { key, entry: structuredClone(current), created: false };
      const size = await this.files.sizeOf(current);
      const { entry } = await this.rollover(key, current, now, size >= (this.opts.rotateBytes ?? DEFAULT_ROTATE_BYTES));
      return {
        key,
        entry: structuredClone(entry),
        created: false,
        resetReason: reason,
        previousSessionId: current.sessionId,
      };
    });
  }

  /** Sets or clears (null) settings; recorded in the transcript too, so a rebuilt index keeps them. */
  async patch(rawKey: string, fields: unknown): Promise<SessionEntry> {
    const patch = parsePatch(fields);
    const key = this.keyOf(rawKey);
    return this.keyed(key, async () => {
      const entry = this.entries.get(key) ?? (await this.create(key, this.clock()));
      // Only real changes are written; applying the transcript entry below updates the row itself.
      const changed = applyPatch(structuredClone(entry), patch);
      if (Object.keys(changed).length > 0) {
        await this.appendLocked(key, entry, { type: "custom", customType: SESSION_PATCH_CUSTOM_TYPE, data: changed });
      }
      return structuredClone(entry);
    });
  }

  /** `/new`, `/reset`: a fresh session id; the old transcript is archived as `<id>.jsonl.reset.<stamp>`. */
  async reset(rawKey: string, reason = "reset"): Promise<ResolveResult & { archived?: string }> {
    const key = this.keyOf(rawKey);
    return this.keyed(key, async () => {
      const now = this.clock();
      const current = this.entries.get(key);
      if (!current) return { key, entry: structuredClone(await this.create(key, now)), created: true };
      const { entry, archived } = await this.rollover(key, current, now, true);
      this.opts.logger?.info({ key, reason, previousSessionId: current.sessionId }, "session reset");
      const result: ResolveResult & { archived?: string } = {
        key,
        entry: structuredClone(entry),
        created: false,
        previousSessionId: current.sessionId,
      };
      if (archived) result.archived = archived;
      return result;
    });
  }

  /** Removes the row; the transcript is deleted, or by default archived as `<id>.jsonl.deleted.<stamp>`. */
  async delete(
    rawKey: string,
    opts: { deleteTranscript?: boolean } = {},
  ): Promise<{ deleted: boolean; archived: string[] }> {
    const key = this.keyOf(rawKey);
    const result = await this.keyed(key, () => this.removeLocked(key, opts.deleteTranscript ?? false));
    // A deletion must not come back from a stale index after a crash: persist it now.
    await this.flush();
    return result;
  }

  /** Appends to the session's transcript (creating the session if needed) and updates its counters. */
  async append(rawKey: string, input: NewTranscriptEntry): Promise<TranscriptEntry> {
    const key = this.keyOf(rawKey);
    return this.keyed(key, async () => {
      const entry = this.entries.get(key) ?? (await this.create(key, this.clock()));
      return this.appendLocked(key, entry, input);
    });
  }

  /** The last `limit` message entries (before an entry id, for paging) and the newest compaction summary. */
  async history(rawKey: string, opts: { limit?: number; before?: string } = {}): Promise<HistoryResult> {
    const key = this.keyOf(rawKey);
    return this.keyed(key, async () => {
      const entry = this.entries.get(key);
      if (!entry) return { key, messages: [], skipped: [] };
      const limit = Math.max(0, opts.limit ?? 50);
      const cached = opts.before === undefined ? this.recent.page(key, entry.sessionId, limit) : undefined;
      if (cached) return { key, sessionId: entry.sessionId, ...cached, skipped: [] };
      try {
        const tail = await readTranscriptTail(this.files.pathOf(entry), {
          limit,
          before: opts.before,
          withCompaction: entry.compactionCount > 0,
        });
        // Only a clean read of the newest messages seeds the tail: a page with skipped lines is reported as read.
        if (opts.before === undefined && tail.skipped.length === 0)
          this.recent.filled(key, entry.sessionId, limit, tail);
        const result: HistoryResult = {
          key,
          sessionId: entry.sessionId,
          messages: tail.messages,
          skipped: tail.skipped,
        };
        if (tail.compaction) result.compaction = tail.compaction;
        return result;
      } catch (err) {
        if (err instanceof PincerError && err.code === "NOT_FOUND") {
          return { key, sessionId: entry.sessionId, messages: [], skipped: [] };
        }
        throw err;
      }
    });
  }

  /** Recent message text of several sessions, for session lists. */
  async preview(keys: string[], opts: { limit?: number; maxChars?: number } = {}): Promise<SessionPreview[]> {
    const limit = Math.max(1, opts.limit ?? 12);
    const maxChars = Math.max(20, opts.maxChars ?? 240);
    return Promise.all(
      keys.map(async (raw): Promise<SessionPreview> => {
        try {
          const key = this.keyOf(raw);
          if (!this.entries.has(key)) return { key: raw, status: "missing", items: [] };
          const { messages } = await this.history(key, { limit });
          const items = previewItems(messages, maxChars);
          return { key: raw, status: items.length > 0 ? "ok" : "empty", items };
        } catch (err) {
          return { key: raw, status: "error", items: [], error: (err as Error).message };
        }
      }),
    );
  }

  /**
   * Retention: rows idle longer than `pruneAfterDays` are removed (transcripts archived), then the oldest
   * rows beyond `maxEntries`; archives and unreferenced transcripts older than that are deleted.
   */
  async maintenance(opts: MaintenanceOptions): Promise<MaintenanceReport> {
    return this.exclusiveRun(async () => {
      const now = opts.now ?? this.clock();
      const plan = planMaintenance(this.entries, opts, now);
      for (const key of [...plan.prune, ...plan.evict]) await this.removeLocked(key, false);
      const referenced = new Set([...this.entries.values()].map((e) => basename(this.files.pathOf(e))));
      const files = await removeExpiredFiles(this.sessionsDir, referenced, now - opts.pruneAfterDays * DAY_MS);
      await this.writer.flush();
      return { pruned: plan.prune, evicted: plan.evict, ...files };
    });
  }

  /** Replaces the index with one derived from the live transcripts (the source of truth). */
  async rebuildIndex(): Promise<RecoveryReport> {
    return this.exclusiveRun(async () => {
      // Built aside and swapped in whole, so a timed index write never sees a half-built map.
      const rebuilt = await rebuildSessionIndex(this.recoveryContext(), this.report.index);
      this.entries = rebuilt.entries;
      this.report = rebuilt.report;
      this.recent.clear();
      await this.files.clear();
      this.writer.markDirty();
      await this.writer.flush();
      return structuredClone(this.report);
    });
  }

  /** Writes pending index changes now. Call on shutdown; transcripts are already on disk. */
  async flush(): Promise<void> {
    while (this.exclusive) await this.exclusive;
    await this.writer.flush();
  }

  /** Flushes, stops the background index timer and closes the transcripts held open. */
  async close(): Promise<void> {
    while (this.exclusive) await this.exclusive;
    await this.queue.idle();
    await this.writer.close();
    await this.files.clear();
    this.recent.clear();
  }

  // ---- internals (callers hold the key's queue slot, or the exclusive gate) ----

  private async create(key: string, now: number): Promise<SessionEntry> {
    const entry = newSessionEntry(randomUUID(), now);
    await this.files.start(key, entry, now);
    this.entries.set(key, entry);
    this.recent.started(key, entry.sessionId);
    this.markDirty();
    return entry;
  }

  private async rollover(
    key: string,
    old: SessionEntry,
    now: number,
    archive: boolean,
  ): Promise<{ entry: SessionEntry; archived?: string }> {
    const entry = newSessionEntry(randomUUID(), now, old);
    this.recent.forget(key);
    await this.files.start(key, entry, now);
    await this.files.forget(old.sessionId);
    const archived = archive ? await this.files.archive(old, "reset", now) : undefined;
    this.entries.set(key, entry);
    this.recent.started(key, entry.sessionId);
    this.markDirty();
    return archived ? { entry, archived } : { entry };
  }

  private async appendLocked(key: string, entry: SessionEntry, input: NewTranscriptEntry): Promise<TranscriptEntry> {
    const written = await this.files.append(key, entry, input);
    this.recent.appended(key, entry.sessionId, written);
    applyTranscriptEntry(entry, written);
    this.markDirty();
    return written;
  }

  private async removeLocked(
    key: string,
    deleteTranscript: boolean,
  ): Promise<{ deleted: boolean; archived: string[] }> {
    const entry = this.entries.get(key);
    if (!entry) return { deleted: false, archived: [] };
    this.recent.forget(key);
    const archived: string[] = [];
    if (deleteTranscript) await this.files.remove(entry);
    else {
      const target = await this.files.archive(entry, "deleted", this.clock());
      if (target) archived.push(target);
    }
    this.entries.delete(key);
    this.markDirty();
    return { deleted: true, archived };
  }

  private async keyed<T>(key: string, fn: () => Promise<T>): Promise<T> {
    // Checked before enqueueing, with no await in between, so exclusive work waits only for jobs already queued.
    while (this.exclusive) await this.exclusive;
    return this.queue.run(key, fn);
  }

  private async exclusiveRun<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    let release!: () => void;
    this.exclusive = new Promise<void>((r) => {
      release = r;
    });
    try {
      await this.queue.idle();
      return await fn();
    } finally {
      this.exclusive = undefined;
      release();
    }
  }

  private markDirty(): void {
    this.writer.markDirty();
  }
}
