import { once } from "node:events";
import type { Readable, Writable } from "node:stream";

/**
 * The subset of POSIX tar (ustar, with PAX headers for long paths) that backups need: regular files only,
 * written and read as streams, so an archive opens with any tar tool (`tar tzf`) and a large SQLite file is
 * never held in memory whole.
 */

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

export interface TarEntryHeader {
  path: string;
  size: number;
  mode: number;
  mtimeMs: number;
}

function octalField(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "ascii");
}

function header(name: string, size: number, mode: number, mtimeMs: number, type: "0" | "x"): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(name, 0, 100, "utf8");
  octalField(buf, 100, 8, mode & 0o7777);
  octalField(buf, 108, 8, 0);
  octalField(buf, 116, 8, 0);
  octalField(buf, 124, 12, size);
  octalField(buf, 136, 12, Math.floor(mtimeMs / 1000));
  buf.write("        ", 148, 8, "ascii");
  buf.write(type, 156, 1, "ascii");
  buf.write("ustar\0", 257, 6, "ascii");
  buf.write("00", 263, 2, "ascii");
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return buf;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length > len) len = `${len}${body}`.length;
  return `${len}${body}`;
}

/** Writes tar entries to `out` (typically a gzip stream), honouring backpressure. */
export class TarWriter {
  constructor(private readonly out: Writable) {}

  private async write(chunk: Buffer): Promise<void> {
    if (!this.out.write(chunk)) await once(this.out, "drain");
  }

  /** One regular file; `content` must yield exactly `size` bytes. */
  async add(entry: TarEntryHeader, content: AsyncIterable<Buffer> | Buffer): Promise<void> {
    if (Buffer.byteLength(entry.path) > 100) {
      const pax = Buffer.from(paxRecord("path", entry.path), "utf8");
      await this.write(header("././@PaxHeader", pax.length, 0o644, entry.mtimeMs, "x"));
      await this.write(pax);
      await this.pad(pax.length);
    }
    await this.write(header(entry.path, entry.size, entry.mode, entry.mtimeMs, "0"));
    let written = 0;
    for await (const chunk of Buffer.isBuffer(content) ? [content] : content) {
      written += chunk.length;
      if (written > entry.size) throw new Error(`${entry.path} grew while it was archived`);
      await this.write(chunk);
    }
    if (written !== entry.size)
      throw new Error(`${entry.path} shrank while it was archived (${written} of ${entry.size} bytes)`);
    await this.pad(entry.size);
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest) await this.write(ZERO_BLOCK.subarray(0, BLOCK - rest));
  }

  /** The two zero blocks that end an archive; then ends `out`. */
  async finish(): Promise<void> {
    await this.write(Buffer.concat([ZERO_BLOCK, ZERO_BLOCK]));
    this.out.end();
    await once(this.out, "finish");
  }
}

function parseOctal(buf: Buffer, offset: number, length: number): number {
  const text = buf
    .toString("ascii", offset, offset + length)
    .replace(/[\0 ]+$/g, "")
    .trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return sum === parseOctal(block, 148, 8);
}

export type EntrySink = { chunk(data: Buffer): void | Promise<void>; end(): void | Promise<void> };

/**
 * Reads a tar stream, handing each regular file's bytes to the sink `onEntry` returns (or skipping the entry
 * when it returns undefined). Throws on a damaged header or an archive that ends early.
 */
export async function readTar(input: Readable, onEntry: (h: TarEntryHeader) => EntrySink | undefined): Promise<number> {
  let buffered: Buffer = Buffer.alloc(0);
  let current:
    | {
        header: TarEntryHeader;
        left: number;
        pad: number;
        sink?: EntrySink | undefined;
        pax: boolean;
        paxData: Buffer[];
      }
    | undefined;
  let pendingPath: string | undefined;
  let entries = 0;
  let ended = false;
  for await (const raw of input) {
    buffered = buffered.length ? Buffer.concat([buffered, raw as Buffer]) : (raw as Buffer);
    for (;;) {
      if (ended) break;
      if (current) {
        if (current.left > 0) {
          if (buffered.length === 0) break;
          const take = Math.min(current.left, buffered.length);
          const part = buffered.subarray(0, take);
          buffered = buffered.subarray(take);
          current.left -= take;
          if (current.pax) current.paxData.push(Buffer.from(part));
          else await current.sink?.chunk(part);
          continue;
        }
        if (buffered.length < current.pad) break;
        buffered = buffered.subarray(current.pad);
        if (current.pax) {
          const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.concat(current.paxData).toString("utf8"));
          pendingPath = m?.[1];
        } else {
          await current.sink?.end();
          entries += 1;
        }
        current = undefined;
        continue;
      }
      if (buffered.length < BLOCK) break;
      const block = buffered.subarray(0, BLOCK);
      buffered = buffered.subarray(BLOCK);
      if (block.equals(ZERO_BLOCK)) {
        ended = true;
        break;
      }
      if (!checksumOk(block)) throw new Error("damaged tar header (checksum mismatch)");
      const type = String.fromCharCode(block[156] as number);
      const size = parseOctal(block, 124, 12);
      const name = block.toString("utf8", 0, 100).replace(/\0.*$/s, "");
      const prefix = block.toString("utf8", 345, 500).replace(/\0.*$/s, "");
      const h: TarEntryHeader = {
        path: pendingPath ?? (prefix ? `${prefix}/${name}` : name),
        size,
        mode: parseOctal(block, 100, 8),
        mtimeMs: parseOctal(block, 136, 12) * 1000,
      };
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (type === "x") {
        current = { header: h, left: size, pad, pax: true, paxData: [] };
        continue;
      }
      pendingPath = undefined;
      if (type !== "0" && type !== "\0") throw new Error(`unsupported tar entry type "${type}" for ${h.path}`);
      current = { header: h, left: size, pad, sink: onEntry(h), pax: false, paxData: [] };
    }
  }
  if (!ended) throw new Error("the archive ends early (truncated)");
  return entries;
}
