import { mkdir, open, readdir, rename, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logging/logger.js";
import { type AuditBody, checkLine, GENESIS_HASH, sealLine } from "./audit-chain.js";

/**
 * The append-only, hash-chained audit log (`<state>/audit/`): config changes, logins, pairing decisions,
 * approvals, tool runs. `audit.jsonl` is the live segment; past `rotateBytes` it is renamed to
 * `audit.<first seq>.jsonl` and the chain carries on in a new live file. `head.json` names the last line
 * written, so cutting lines off the end is detected too (src/ops/audit-verify.ts).
 */

export const AUDIT_FILE = "audit.jsonl";
export const AUDIT_HEAD_FILE = "head.json";
/** Segments stay small enough to verify and copy quickly; the chain runs on across them. */
const DEFAULT_ROTATE_BYTES = 32 * 1024 * 1024;
/** The tail read at open to find the last line: far more than one line ever takes. */
const TAIL_READ_BYTES = 256 * 1024;

export const rotatedName = (firstSeq: number) => `audit.${String(firstSeq).padStart(12, "0")}.jsonl`;
export const ROTATED_PATTERN = /^audit\.(\d{12})\.jsonl$/;

export interface AuditLogOptions {
  rotateBytes?: number;
  log?: Logger;
  now?: () => number;
}

interface ChainState {
  seq: number;
  hash: string;
  /** Seq of the first line in the live segment (names it when it is rotated). */
  firstSeq: number;
  bytes: number;
}

export class AuditLog {
  private state: Promise<ChainState> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly rotateBytes: number;
  private readonly now: () => number;

  constructor(
    readonly dir: string,
    private readonly opts: AuditLogOptions = {},
  ) {
    this.rotateBytes = opts.rotateBytes ?? DEFAULT_ROTATE_BYTES;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Appends one entry. Never throws: an audit failure is logged, and the action it records has happened
   * regardless. Resolves once the line is on disk. `data` must hold no secrets (callers pass ids, names, paths).
   */
  record(type: string, data: Record<string, unknown>, actor?: string): Promise<void> {
    const run = this.queue.then(() => this.append(type, data, actor));
    this.queue = run.catch((err) => {
      this.opts.log?.error({ err, type }, "writing the audit log failed");
    });
    return this.queue as Promise<void>;
  }

  /** Waits for every entry recorded so far to be written. */
  async flush(): Promise<void> {
    await this.queue;
  }

  private async append(type: string, data: Record<string, unknown>, actor: string | undefined): Promise<void> {
    this.state ??= this.openChain();
    const state = await this.state;
    const body: AuditBody = {
      seq: state.seq + 1,
      ts: new Date(this.now()).toISOString(),
      type,
      ...(actor === undefined ? {} : { actor }),
      data,
      prev: state.hash,
    };
    const { line, hash } = sealLine(body);
    const size = Buffer.byteLength(line) + 1;
    if (state.bytes > 0 && state.bytes + size > this.rotateBytes) {
      await rename(join(this.dir, AUDIT_FILE), join(this.dir, rotatedName(state.firstSeq)));
      state.bytes = 0;
    }
    if (state.bytes === 0) state.firstSeq = body.seq;
    const fh = await open(join(this.dir, AUDIT_FILE), "a", 0o600);
    try {
      await fh.write(`${line}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    state.seq = body.seq;
    state.hash = hash;
    state.bytes += size;
    await this.writeHead(state);
  }

  private async writeHead(state: ChainState): Promise<void> {
    const tmp = join(this.dir, `${AUDIT_HEAD_FILE}.tmp`);
    await writeFile(tmp, JSON.stringify({ seq: state.seq, hash: state.hash }), { mode: 0o600 });
    await rename(tmp, join(this.dir, AUDIT_HEAD_FILE));
  }

  /** Finds where the chain stands: the last line of the live segment, else of the newest rotated one. */
  private async openChain(): Promise<ChainState> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const live = join(this.dir, AUDIT_FILE);
    const tail = await readTail(live);
    if (tail.torn > 0) {
      // A line cut short by a crash was never acknowledged: drop it, and say so in the log itself.
      await truncate(live, tail.size - tail.torn);
    }
    let last = tail.lastLine;
    let firstSeq = 0;
    if (!last) {
      const rotated = (await readdir(this.dir)).filter((n) => ROTATED_PATTERN.test(n)).sort();
      const newest = rotated[rotated.length - 1];
      if (newest) last = (await readTail(join(this.dir, newest))).lastLine;
    } else firstSeq = tail.firstSeq ?? 0;
    const state: ChainState = { seq: 0, hash: GENESIS_HASH, firstSeq, bytes: tail.size - tail.torn };
    if (last) {
      const checked = checkLine(last);
      if (!checked.ok) {
        // Appending after a damaged line would hide the damage behind a fresh, valid-looking chain.
        throw new Error(`the last audit line is damaged (${checked.problem}); run pincer audit verify`);
      }
      state.seq = checked.entry.seq;
      state.hash = checked.entry.hash;
    }
    if (tail.torn > 0) {
      this.state = Promise.resolve(state);
      await this.append(
        "audit.recovered",
        { discardedBytes: tail.torn, reason: "torn last line after a crash" },
        undefined,
      );
    }
    return state;
  }
}

interface Tail {
  size: number;
  /** Bytes after the last newline (a line cut short), 0 when the file ends with a newline. */
  torn: number;
  lastLine?: string;
  /** Seq of the file's first line, when it is readable. */
  firstSeq?: number;
}

async function readTail(file: string): Promise<Tail> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { size: 0, torn: 0 };
    throw err;
  }
  if (size === 0) return { size, torn: 0 };
  const fh = await open(file, "r");
  try {
    const length = Math.min(size, TAIL_READ_BYTES);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const text = buf.toString("utf8");
    const end = text.lastIndexOf("\n");
    const torn = Buffer.byteLength(text.slice(end + 1));
    const complete = text.slice(0, end);
    const lastLine = complete.slice(complete.lastIndexOf("\n") + 1) || undefined;
    let head = complete;
    if (length < size) {
      const start = Buffer.alloc(TAIL_READ_BYTES);
      await fh.read(start, 0, TAIL_READ_BYTES, 0);
      head = start.toString("utf8");
    }
    const first = checkLine(head.split("\n", 1)[0] ?? "");
    const firstSeq = first.ok ? first.entry.seq : undefined;
    return { size, torn, ...(lastLine ? { lastLine } : {}), ...(firstSeq === undefined ? {} : { firstSeq }) };
  } finally {
    await fh.close();
  }
}

/** The audit folder of a state folder. */
export const auditDir = (stateDir: string) => join(stateDir, "audit");
