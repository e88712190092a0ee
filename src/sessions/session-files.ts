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

export interface SessionFilesOptions {
  sync?: boolean | undefined;
  /** Recorded in new transcript headers. */
  cwd?: string | undefined;
  now: () => number;
}

/**
 * The transcript files of one agent's sessions: where each lives, starting one, appending to it,
 * archiving or removing it. Keeps one appender per live session id (it caches the parent entry id).
 * Callers serialize per session.
 */
export class SessionFiles {
  private readonly appenders = new Map<string, TranscriptAppender>();

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
    try {
      return await this.appender(key, entry).append(input);
    } catch (err) {
      // The file vanished between the appender's tail read and its write (removed by hand): recreate once.
      if (!(err instanceof PincerError && err.code === "NOT_FOUND" && err.retryable)) throw err;
      return this.appender(key, entry).append(input);
    }
  }

  /** Renames the transcript to `<file>.<reason>.<stamp>`; undefined when there was no file. */
  async archive(entry: SessionEntry, reason: ArchiveReason, now: number): Promise<string | undefined> {
    this.appenders.delete(entry.sessionId);
    return archiveTranscript(this.pathOf(entry), reason, now);
  }

  async remove(entry: SessionEntry): Promise<void> {
    this.appenders.delete(entry.sessionId);
    await rm(this.pathOf(entry), { force: true });
  }

  /** Drops the cached appender of a session id that is no longer written (rolled over). */
  forget(sessionId: string): void {
    this.appenders.delete(sessionId);
  }

  clear(): void {
    this.appenders.clear();
  }

  private header(key: string, entry: SessionEntry): NewHeader {
    return { id: entry.sessionId, sessionKey: key, keyCreatedAt: entry.createdAt, cwd: this.opts.cwd };
  }

  private appender(key: string, entry: SessionEntry): TranscriptAppender {
    let appender = this.appenders.get(entry.sessionId);
    if (!appender) {
      appender = new TranscriptAppender(this.pathOf(entry), {
        sync: this.opts.sync ?? false,
        now: this.opts.now,
        header: () => this.header(key, entry),
      });
      this.appenders.set(entry.sessionId, appender);
    }
    return appender;
  }
}
