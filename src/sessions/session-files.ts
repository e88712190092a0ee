import { rm, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { PincerError } from "../errors.js";
import { carriedSettings, SESSION_PATCH_CUSTOM_TYPE, type SessionEntry } from "./session-entry.js";
import {
  type ArchiveReason,
  archiveTranscript,
  createTranscript,
  type NewHeader,
  type NewTranscriptEntry,
  TranscriptAppender,
  type TranscriptEntry,
  transcriptPath,
} from "./transcript.js";

/**
 * Transcript descriptors held open at once per agent: the sessions written most recently keep theirs, older
 * ones are closed and reopened on their next line. Well under the usual 1,024-descriptor limit, which the
 * gateway shares with sockets and channels.
 */
export const MAX_OPEN_TRANSCRIPTS = 128;
/**
 * Appenders remembered (each caches its session's last entry id, saving a tail read per line). Past this,
 * the least recently written session's is dropped, so sessions that are never written again cost nothing.
 */
export const MAX_CACHED_APPENDERS = 4_096;

export interface SessionFilesOptions {
  sync?: boolean | undefined;
  /** Recorded in new transcript headers. */
  cwd?: string | undefined;
  now: () => number;
  maxOpenFiles?: number | undefined;
  maxAppenders?: number | undefined;
}

/**
 * The transcript files of one agent's sessions: where each lives, starting one, appending to it,
 * archiving or removing it. Keeps an appender per recently written session id (it caches the parent entry
 * id and holds the file open), both bounded, least recently written first out. Callers serialize per session.
 */
export class SessionFiles {
  /** Least recently written first (re-inserted on every append). */
  private readonly appenders = new Map<string, TranscriptAppender>();
  /** Appenders holding a descriptor, least recently written first. */
  private readonly holding = new Set<TranscriptAppender>();

  constructor(
    readonly sessionsDir: string,
    private readonly opts: SessionFilesOptions,
  ) {}

  /** `<sessionId>.jsonl`, or OpenClaw's `sessionFile` when it names a `.jsonl` file in this folder. */
  pathOf(entry: SessionEntry): string {
    if (entry.sessionFile) {
      const candidate = resolve(this.sessionsDir, entry.sessionFile);
      if (dirname(candidate) === resolve(this.sessionsDir) && basename(candidate).endsWith(".jsonl")) return candidate;
    }
    return transcriptPath(this.sessionsDir, entry.sessionId);
  }

  async sizeOf(entry: SessionEntry): Promise<number> {
    return stat(this.pathOf(entry)).then(
      (s) => s.size,
      () => 0,
    );
  }

  /** Writes the header (with the key, so the index can be rebuilt) and any carried-over settings. */
  async start(key: string, entry: SessionEntry, now: number): Promise<void> {
    await createTranscript(
      this.pathOf(entry),
      { ...this.header(key, entry), timestamp: now },
      { sync: this.opts.sync ?? false },
    );
    const carried = carriedSettings(entry);
    if (Object.keys(carried).length > 0) {
      await this.appender(key, entry).append({ type: "custom", customType: SESSION_PATCH_CUSTOM_TYPE, data: carried });
    }
  }

  async append(key: string, entry: SessionEntry, input: NewTranscriptEntry): Promise<TranscriptEntry> {
    const appender = this.appender(key, entry);
    try {
      return await appender.append(input);
    } catch (err) {
      // The file vanished between the appender's tail read and its write (removed by hand): recreate once.
      if (!(err instanceof PincerError && err.code === "NOT_FOUND" && err.retryable)) throw err;
      return await appender.append(input);
    } finally {
      this.noteDescriptor(appender);
    }
  }

  /** Renames the transcript to `<file>.<reason>.<stamp>`; undefined when there was no file. */
  async archive(entry: SessionEntry, reason: ArchiveReason, now: number): Promise<string | undefined> {
    await this.forget(entry.sessionId);
    return archiveTranscript(this.pathOf(entry), reason, now);
  }

  async remove(entry: SessionEntry): Promise<void> {
    await this.forget(entry.sessionId);
    await rm(this.pathOf(entry), { force: true });
  }

  /** Drops (and closes) the appender of a session id that is no longer written: rolled over, archived, removed. */
  async forget(sessionId: string): Promise<void> {
    const appender = this.appenders.get(sessionId);
    if (!appender) return;
    this.appenders.delete(sessionId);
    this.holding.delete(appender);
    await appender.release();
  }

  /** Drops and closes every appender (index rebuilt, store closed). Callers make sure no append is running. */
  async clear(): Promise<void> {
    const all = [...this.appenders.values()];
    this.appenders.clear();
    this.holding.clear();
    await Promise.all(all.map((a) => a.release()));
  }

  /** How many transcripts are held open now. */
  get openFiles(): number {
    return this.holding.size;
  }

  private header(key: string, entry: SessionEntry): NewHeader {
    return { id: entry.sessionId, sessionKey: key, keyCreatedAt: entry.createdAt, cwd: this.opts.cwd };
  }

  private appender(key: string, entry: SessionEntry): TranscriptAppender {
    let appender = this.appenders.get(entry.sessionId);
    if (appender) this.appenders.delete(entry.sessionId);
    else {
      appender = new TranscriptAppender(this.pathOf(entry), {
        sync: this.opts.sync ?? false,
        now: this.opts.now,
        header: () => this.header(key, entry),
      });
    }
    this.appenders.set(entry.sessionId, appender);
    const max = this.opts.maxAppenders ?? MAX_CACHED_APPENDERS;
    if (this.appenders.size > max) {
      for (const [sessionId, old] of this.appenders) {
        if (this.appenders.size <= max) break;
        if (old === appender || !old.idle) continue;
        this.appenders.delete(sessionId);
        this.holding.delete(old);
        this.closeQuietly(old);
      }
    }
    return appender;
  }

  /** Records that `appender` was just written, and closes the least recently written idle descriptors past the cap. */
  private noteDescriptor(appender: TranscriptAppender): void {
    this.holding.delete(appender);
    if (appender.holdsFile) this.holding.add(appender);
    const max = this.opts.maxOpenFiles ?? MAX_OPEN_TRANSCRIPTS;
    if (this.holding.size <= max) return;
    for (const old of this.holding) {
      if (this.holding.size <= max) break;
      // A busy appender is mid-line (another session's turn): its descriptor is closed on a later pass.
      if (old === appender || !old.idle) continue;
      this.holding.delete(old);
      this.closeQuietly(old);
    }
  }

  private closeQuietly(appender: TranscriptAppender): void {
    // Every line it wrote was on disk before its append resolved; a failing close() loses nothing.
    appender.release().catch(() => undefined);
  }
}
