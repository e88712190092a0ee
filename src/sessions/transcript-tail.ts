import { open } from "node:fs/promises";
import { PincerError } from "../errors.js";
import { type CompactionEntry, type MessageEntry, parseTranscriptLine, type SkippedLine } from "./transcript-format.js";

/**
 * Reads a transcript backwards in chunks, so the last N messages of a 10,000-turn transcript cost a
 * read of their own bytes, not a parse of the whole file. Lines are split on the newline byte before
 * decoding (0x0A never occurs inside a multi-byte UTF-8 sequence), so chunk edges cannot break text.
 */

/** Large enough that a typical "last 50 messages" read is one or two syscalls. */
export const TAIL_CHUNK_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const COMPACTION_MARK = Buffer.from('"compaction"');

export interface TailOptions {
  /** Message entries to return (the newest ones). 0 returns none but still finds `lastEntryId`. */
  limit: number;
  /** Entry id: return only messages older than this entry (paging backwards). */
  before?: string | undefined;
  /** Also find the newest compaction entry older than the cursor, scanning further back if needed. */
  withCompaction?: boolean | undefined;
  chunkBytes?: number | undefined;
}

export interface TailResult {
  /** Oldest first. */
  messages: MessageEntry[];
  compaction?: CompactionEntry;
  /** Id of the last readable entry in the file (the parent for the next append), null if none. */
  lastEntryId: string | null;
  /** False when the file ends without a newline (a torn or unterminated last line). */
  endsWithNewline: boolean;
  /** False when the cursor entry was given but not found. */
  cursorFound: boolean;
  size: number;
  skipped: SkippedLine[];
}

/** Throws NOT_FOUND when the file does not exist; never throws on torn or garbage lines. */
export async function readTranscriptTail(path: string, opts: TailOptions): Promise<TailResult> {
  const handle = await open(path, "r").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw new PincerError("NOT_FOUND", `transcript ${path} does not exist`);
    throw err;
  });
  try {
    const { size } = await handle.stat();
    const chunkBytes = Math.max(1024, opts.chunkBytes ?? TAIL_CHUNK_BYTES);
    const scan = new TailScan(opts);
    let pos = size;
    let carry: Buffer = Buffer.alloc(0);
    let endsWithNewline = true;
    let first = true;
    while (pos > 0 && !scan.done()) {
      const start = Math.max(0, pos - chunkBytes);
      const chunk = Buffer.allocUnsafe(pos - start);
      let filled = 0;
      while (filled < chunk.length) {
        const { bytesRead } = await handle.read(chunk, filled, chunk.length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      const buf = carry.length > 0 ? Buffer.concat([chunk.subarray(0, filled), carry]) : chunk.subarray(0, filled);
      let end = buf.length;
      if (first) {
        first = false;
        endsWithNewline = buf[end - 1] === NEWLINE;
        if (endsWithNewline) end -= 1;
        else scan.lastLineUnterminated = true;
      }
      // Walk complete lines from the end of this buffer; the part before the first newline may continue
      // in the previous chunk, unless this chunk starts the file.
      while (!scan.done()) {
        const nl = end > 0 ? buf.lastIndexOf(NEWLINE, end - 1) : -1;
        if (nl === -1 && start > 0) break;
        scan.line(buf.subarray(nl + 1, end), start + nl + 1);
        if (nl === -1) break;
        end = nl;
      }
      carry = Buffer.from(buf.subarray(0, end));
      pos = start;
    }
    return { ...scan.result(), endsWithNewline, size };
  } finally {
    await handle.close();
  }
}

class TailScan {
  lastLineUnterminated = false;
  private readonly newestFirst: MessageEntry[] = [];
  private compaction: CompactionEntry | undefined;
  private lastEntryId: string | null | undefined;
  private cursorFound: boolean;
  private readonly cursorMark: Buffer | undefined;
  private readonly skipped: SkippedLine[] = [];
  private isLastLine = true;

  constructor(private readonly opts: TailOptions) {
    this.cursorFound = opts.before === undefined;
    this.cursorMark = opts.before === undefined ? undefined : Buffer.from(JSON.stringify(opts.before));
  }

  done(): boolean {
    if (this.lastEntryId === undefined || !this.cursorFound) return false;
    if (this.newestFirst.length < this.opts.limit) return false;
    return !this.opts.withCompaction || this.compaction !== undefined;
  }

  line(bytes: Buffer, offset: number): void {
    const unterminated = this.isLastLine && this.lastLineUnterminated;
    this.isLastLine = false;
    if (isBlank(bytes)) return;
    const needLastId = this.lastEntryId === undefined;
    const full = this.cursorFound && this.newestFirst.length >= this.opts.limit;
    // Cheap byte filters decide which lines are worth a JSON.parse once the page itself is filled.
    if (!needLastId) {
      if (!this.cursorFound && this.cursorMark && bytes.indexOf(this.cursorMark) === -1) return;
      if (full && bytes.indexOf(COMPACTION_MARK) === -1) return;
    }
    const parsed = parseTranscriptLine(bytes.toString("utf8"));
    if (!parsed.ok) {
      const kind = unterminated && parsed.kind === "garbage" ? "torn" : parsed.kind;
      const reason =
        kind === "torn" ? `torn last line (no newline; interrupted write): ${parsed.reason}` : parsed.reason;
      this.skipped.push({ offset, kind, reason });
      return;
    }
    if (!("entry" in parsed)) return;
    const entry = parsed.entry;
    if (needLastId) this.lastEntryId = entry.id;
    if (!this.cursorFound) {
      if (entry.id === this.opts.before) this.cursorFound = true;
      return;
    }
    if (entry.type === "message" && this.newestFirst.length < this.opts.limit) this.newestFirst.push(entry);
    else if (entry.type === "compaction" && this.opts.withCompaction && !this.compaction) this.compaction = entry;
  }

  result(): Omit<TailResult, "endsWithNewline" | "size"> {
    const result: Omit<TailResult, "endsWithNewline" | "size"> = {
      messages: this.newestFirst.slice().reverse(),
      lastEntryId: this.lastEntryId ?? null,
      cursorFound: this.cursorFound,
      skipped: this.skipped.reverse(),
    };
    if (this.compaction) result.compaction = this.compaction;
    return result;
  }
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}
