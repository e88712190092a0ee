import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

const NoticesFileSchema = z.object({ sent: z.array(z.string()) });

/** Notices older than this are dropped from the file: no period a notice names lasts longer than a month. */
const KEEP_NOTICES = 500;

/**
 * Which budget notices (warnings, "cap reached") were already sent, so each goes out once per period and
 * not again after a restart. A notice key names its period (e.g. `exceeded:global:daily:usd:2026-03-01`),
 * so a new day or month is a new key and the notice goes out again.
 */
export class BudgetNotices {
  private sent: Set<string> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** Marks `key` sent; returns true when it was not sent before (the caller sends it now). */
  async claim(key: string): Promise<boolean> {
    const sent = await this.load();
    if (sent.has(key)) return false;
    sent.add(key);
    const keys = [...sent].slice(-KEEP_NOTICES);
    this.writing = this.writing.then(() => this.save(keys)).catch(() => {});
    await this.writing;
    return true;
  }

  private async load(): Promise<Set<string>> {
    if (this.sent) return this.sent;
    let keys: string[] = [];
    try {
      const parsed = NoticesFileSchema.safeParse(JSON.parse(await readFile(this.file, "utf8")));
      if (parsed.success) keys = parsed.data.sent;
    } catch {
      // Missing or unreadable: the worst outcome is one repeated notice.
    }
    this.sent ??= new Set(keys);
    return this.sent;
  }

  private async save(keys: string[]): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ sent: keys }), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}
