import { constants, statSync, writeSync } from "node:fs";
import { type FileHandle, open, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { PincerError } from "../errors.js";
import {
  buildEntry,
  type NewTranscriptEntry,
  parseTranscriptLine,
  type SessionHeader,
  SessionHeaderSchema,
  type SkippedLine,
  serializeLine,
  TRANSCRIPT_VERSION,
  type TranscriptEntry,
} from "./transcript-format.js";
import { readTranscriptTail } from "./transcript-tail.js";

export * from "./transcript-format.js";
export { readTranscriptTail, type TailOptions, type TailResult } from "./transcript-tail.js";

/**
 * Append-only JSONL transcripts, one per session id: `<sessionsDir>/<sessionId>.jsonl`.
 *
 * Durability model: every line goes out in a single write() on an O_APPEND descriptor, so a crash
 * (SIGKILL included) can leave at most a torn last line; readers skip and report it, and the next
 * append starts on a fresh line. Lines are not fsynced by default: a killed process loses nothing the
 * kernel already has, and only a power cut could drop the last moments (opt in with `sync`).
 * An appender holds its descriptor open between lines (opening and closing a file per line was the
 * largest filesystem cost of a turn). Before each line it checks that the path still names the file it
 * holds, so a transcript renamed (archived) or removed underneath it is never appended to: the next line
 * goes to whatever file the path names now. The store closes an appender before archiving on purpose.
 */

/** Session ids become file names: conservative characters only, no path separators or dot-dot. */
const SESSION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function assertSessionId(sessionId: string): void {
  if (!SESSION_ID_RE.test(sessionId)) {
    throw new PincerError(
      "INVALID_REQUEST",
      `session id ${JSON.stringify(sessionId)} is not usable as a file name (letters, digits, _ and -, at most 128)`,
    );
  }
}

export function transcriptPath(sessionsDir: string, sessionId: string): string {
  assertSessionId(sessionId);
  return join(sessionsDir, `${sessionId}.jsonl`);
}

export interface NewHeader {
  id: string;
  cwd?: string | undefined;
  parentSession?: string | undefined;
  sessionKey?: string | undefined;
  keyCreatedAt?: number | undefined;
  /** Epoch ms; defaults to now. */
  timestamp?: number | undefined;
}

function buildHeader(input: NewHeader): SessionHeader {
  const header: SessionHeader = {
    type: "session",
    version: TRANSCRIPT_VERSION,
    id: input.id,
    timestamp: new Date(input.timestamp ?? Date.now()).toISOString(),
  };
  if (input.cwd !== undefined) header.cwd = input.cwd;
  if (input.parentSession !== undefined) header.parentSession = input.parentSession;
  if (input.sessionKey !== undefined) header.sessionKey = input.sessionKey;
  if (input.keyCreatedAt !== undefined) header.keyCreatedAt = input.keyCreatedAt;
  return SessionHeaderSchema.parse(header);
}

/** Creates a transcript holding only its header. CONFLICT if the file already exists. */
export async function createTranscript(
  path: string,
  input: NewHeader,
  opts: { sync?: boolean } = {},
): Promise<SessionHeader> {
  const header = buildHeader(input);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND;
  const handle = await open(path, flags, 0o600).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "EEXIST") throw new PincerError("CONFLICT", `transcript ${path} already exists`);
    throw err;
  });
  try {
    await writeFully(handle, Buffer.from(serializeLine(header)));
    if (opts.sync) await handle.sync();
  } finally {
    await handle.close();
  }
  return header;
}

/**
 * The append path's write: a line is a few hundred bytes into the page cache, so a synchronous write() costs
 * microseconds where the thread-pool round trip of FileHandle.write costs ~50 µs of CPU per line. Same single
 * write() per line (O_APPEND), same short-write handling.
 */
function writeFullySync(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) {
    const bytesWritten = writeSync(fd, data, written, data.length - written);
    if (bytesWritten === 0) throw new PincerError("UNAVAILABLE", "transcript write made no progress (disk full?)");
    written += bytesWritten;
  }
}

async function writeFully(handle: FileHandle, data: Buffer): Promise<void> {
  let written = 0;
  // A short write only happens on a full disk or a signal; with O_APPEND the rest still lands in place.
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written);
    if (bytesWritten === 0) throw new PincerError("UNAVAILABLE", "transcript write made no progress (disk full?)");
    written += bytesWritten;
  }
}

export interface AppenderOptions {
  /** fsync after every line (survives power loss; costs a disk flush per line). */
  sync?: boolean;
  /** Header for a transcript that does not exist yet; without it, appending to a missing file is NOT_FOUND. */
  header?: () => NewHeader;
  /** Clock for entry timestamps. */
  now?: () => number;
}

/**
 * Appends entries to one transcript. Not safe for concurrent use: callers serialize per session
 * (the store does, with a KeyedQueue). On first use it reads the file's tail once to learn the parent
 * id and whether the last line was torn. It holds a descriptor open after its first line: call
 * `release()` when done with it.
 */
export class TranscriptAppender {
  private parentId: string | null | undefined;
  private needsNewline = false;
  /** The held O_APPEND descriptor and the identity of the file it was opened on. */
  private handle: FileHandle | undefined;
  private handleFile: { dev: number; ino: number } | undefined;
  private busy = 0;

  constructor(
    readonly path: string,
    private readonly opts: AppenderOptions = {},
  ) {}

  /** Id of the newest entry, i.e. the parent of the next one (after the first append or `prepare`). */
  get lastEntryId(): string | null | undefined {
    return this.parentId;
  }

  /** No append is in progress (so closing the descriptor cannot cut a line short). */
  get idle(): boolean {
    return this.busy === 0;
  }

  /** Whether a descriptor is held open. */
  get holdsFile(): boolean {
    return this.handle !== undefined;
  }

  /** Resolves once the line is written (handed to the kernel; fsynced too with `sync`). */
  async append(input: NewTranscriptEntry): Promise<TranscriptEntry> {
    this.busy += 1;
    try {
      if (this.parentId === undefined) await this.prepare();
      const entry = buildEntry(input, this.parentId ?? null, (this.opts.now ?? Date.now)());
      const line = serializeLine(entry);
      // The fresh-line guarantee after a torn tail rides in the same write() as the line itself.
      await this.writeLine(this.needsNewline ? `\n${line}` : line);
      this.needsNewline = false;
      this.parentId = entry.id;
      return entry;
    } finally {
      this.busy -= 1;
    }
  }

  /** Closes the held descriptor (the cached parent id stays); the next append opens the file again. */
  async release(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.handleFile = undefined;
    await handle?.close();
  }

  /** Reads the tail: the last entry id, and whether a torn last line needs a newline before appending. */
  async prepare(): Promise<void> {
    try {
      const tail = await readTranscriptTail(this.path, { limit: 0 });
      this.parentId = tail.lastEntryId;
      this.needsNewline = tail.size > 0 && !tail.endsWithNewline;
    } catch (err) {
      if (!(err instanceof PincerError && err.code === "NOT_FOUND")) throw err;
      if (!this.opts.header) throw err;
      await createTranscript(this.path, this.opts.header(), { sync: this.opts.sync ?? false }).catch((e: unknown) => {
        // Lost a creation race with another appender in this process: the file is there now.
        if (!(e instanceof PincerError && e.code === "CONFLICT")) throw e;
      });
      this.parentId = null;
      this.needsNewline = false;
    }
  }

  private async writeLine(text: string): Promise<void> {
    const handle = await this.currentHandle();
    try {
      writeFullySync(handle.fd, Buffer.from(text));
      if (this.opts.sync) await handle.sync();
    } catch (err) {
      // A descriptor that failed a write (disk full, I/O error) is not trusted with the next line.
      await this.release().catch(() => undefined);
      throw err;
    }
  }

  /** The held descriptor while the path still names its file; otherwise a fresh one on the path's file. */
  private async currentHandle(): Promise<FileHandle> {
    if (this.handle && this.handleFile) {
      // Synchronous on purpose: a local stat is ~3 µs of CPU against ~50 for the thread-pool round trip, and this
      // runs for every line of every turn.
      const now = statSync(this.path, { throwIfNoEntry: false });
      if (now && now.ino === this.handleFile.ino && now.dev === this.handleFile.dev) return this.handle;
      await this.release();
    }
    const handle = await open(this.path, constants.O_WRONLY | constants.O_APPEND).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") {
          this.parentId = undefined;
          throw new PincerError("NOT_FOUND", `transcript ${this.path} disappeared while appending`, {
            retryable: true,
          });
        }
        throw err;
      },
    );
    try {
      const info = await handle.stat();
      this.handleFile = { dev: info.dev, ino: info.ino };
    } catch (err) {
      await handle.close();
      throw err;
    }
    this.handle = handle;
    return handle;
  }
}

export interface TranscriptContents {
  header?: SessionHeader;
  entries: TranscriptEntry[];
  skipped: SkippedLine[];
}

/**
 * Reads a whole transcript. Torn, garbage and unknown lines anywhere are skipped and reported, never
 * thrown; a missing file is NOT_FOUND. Only the first line may be the header.
 */
export async function readTranscript(path: string): Promise<TranscriptContents> {
  const data = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw new PincerError("NOT_FOUND", `transcript ${path} does not exist`);
    throw err;
  });
  const result: TranscriptContents = { entries: [], skipped: [] };
  const endsWithNewline = data.length === 0 || data[data.length - 1] === 0x0a;
  let offset = 0;
  let lineNo = 0;
  while (offset < data.length) {
    let nl = data.indexOf(0x0a, offset);
    const last = nl === -1;
    if (last) nl = data.length;
    lineNo += 1;
    const text = data.toString("utf8", offset, nl);
    if (text.trim()) {
      const parsed = parseTranscriptLine(text);
      if (!parsed.ok) {
        const torn = last && !endsWithNewline && parsed.kind === "garbage";
        result.skipped.push({
          line: lineNo,
          offset,
          kind: torn ? "torn" : parsed.kind,
          reason: torn ? `torn last line (no newline; interrupted write): ${parsed.reason}` : parsed.reason,
        });
      } else if ("header" in parsed) {
        if (lineNo === 1) result.header = parsed.header;
        else result.skipped.push({ line: lineNo, offset, kind: "invalid", reason: "session header after line 1" });
      } else {
        result.entries.push(parsed.entry);
      }
    }
    offset = nl + 1;
  }
  return result;
}

/** Reads only the header line (first 64 KiB at most); undefined when missing or unreadable. */
export async function readTranscriptHeader(path: string): Promise<SessionHeader | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    const parsed = parseTranscriptLine(buf.toString("utf8", 0, nl === -1 ? bytesRead : nl));
    return parsed.ok && "header" in parsed ? parsed.header : undefined;
  } finally {
    await handle.close();
  }
}

export type ArchiveReason = "reset" | "deleted";

/** OpenClaw's archive stamp: ISO time with ":" replaced, e.g. 2026-01-02T03-04-05.678Z. */
export function archiveStamp(now: number): string {
  return new Date(now).toISOString().replaceAll(":", "-");
}

/** Parses the stamp of `<id>.jsonl.<reason>.<stamp>`; undefined for other names. */
export function parseArchiveName(name: string): { sessionId: string; reason: ArchiveReason; at: number } | undefined {
  const m = /^(.+)\.jsonl\.(reset|deleted)\.(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}(?:\.\d+)?Z)(?:\.\d+)?$/.exec(name);
  if (!m) return undefined;
  const at = Date.parse(`${m[3]}:${m[4]}:${m[5]}`);
  return Number.isNaN(at) ? undefined : { sessionId: m[1]!, reason: m[2] as ArchiveReason, at };
}

/**
 * Renames a transcript to `<file>.<reason>.<stamp>` (OpenClaw's naming, so its tools find them).
 * Returns the archive path, or undefined when there was no file to archive.
 */
export async function archiveTranscript(path: string, reason: ArchiveReason, now: number): Promise<string | undefined> {
  const base = `${path}.${reason}.${archiveStamp(now)}`;
  for (let n = 0; n < 1000; n++) {
    const target = n === 0 ? base : `${base}.${n}`;
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists) continue;
    try {
      await rename(path, target);
      return target;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }
  throw new PincerError("CONFLICT", `too many archives named ${base}.*`);
}
