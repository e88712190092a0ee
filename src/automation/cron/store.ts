import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../config/write.js";
import { PincerError } from "../../errors.js";
import type { Logger } from "../../logging/logger.js";
import {
  type CronJob,
  CronJobSchema,
  type CronRunEntry,
  CronRunEntrySchema,
  CronStoreFileSchema,
} from "./job-schema.js";

/** Run history kept per job: older lines are dropped when the file is rewritten past this many. */
export const MAX_RUN_LOG_LINES = 2_000;

/**
 * cron/jobs.json (every job, rewritten atomically on each change) and cron/runs/<jobId>.jsonl (append-only run
 * history; a torn last line after a crash is skipped). Job ids are generated here, so they are safe file names.
 */
export class CronStore {
  readonly file: string;
  readonly runsDir: string;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {
    this.file = join(dir, "jobs.json");
    this.runsDir = join(dir, "runs");
  }

  /** The stored jobs; a missing file is no jobs, an unreadable one is an error naming the file. */
  async load(): Promise<CronJob[]> {
    let raw: string;
    try {
      raw = await readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new PincerError("CONFIG_INVALID", `${this.file} is not valid JSON: fix or remove it`);
    }
    const file = CronStoreFileSchema.safeParse(parsed);
    if (!file.success)
      throw new PincerError("CONFIG_INVALID", `${this.file}: expected { "version": 1, "jobs": [...] }`);
    const jobs: CronJob[] = [];
    file.data.jobs.forEach((value, i) => {
      const job = CronJobSchema.safeParse(value);
      // One bad job must not stop the others: it is left out (and kept in the log) rather than fatal.
      if (job.success) jobs.push(job.data);
      else
        this.log.warn(
          { index: i, issues: job.error.issues.slice(0, 3) },
          `${this.file}: job #${i} is invalid; skipped`,
        );
    });
    return jobs;
  }

  async save(jobs: CronJob[]): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, jobs }, null, 2)}\n`);
  }

  async appendRun(entry: CronRunEntry): Promise<void> {
    await mkdir(this.runsDir, { recursive: true, mode: 0o700 });
    await appendFile(this.runFile(entry.jobId), `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  /** Newest first. */
  async runs(jobId: string, limit: number, offset = 0): Promise<{ entries: CronRunEntry[]; total: number }> {
    let raw: string;
    try {
      raw = await readFile(this.runFile(jobId), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], total: 0 };
      throw err;
    }
    const entries: CronRunEntry[] = [];
    for (const line of raw.split("\n")) {
      if (!line.trim()) continue;
      try {
        const parsed = CronRunEntrySchema.safeParse(JSON.parse(line));
        if (parsed.success) entries.push(parsed.data);
      } catch {
        // a torn line from a crash mid-append: skipped
      }
    }
    if (entries.length > MAX_RUN_LOG_LINES) {
      entries.splice(0, entries.length - MAX_RUN_LOG_LINES);
      await writeFileAtomic(this.runFile(jobId), `${entries.map((e) => JSON.stringify(e)).join("\n")}\n`);
    }
    entries.reverse();
    return { entries: entries.slice(offset, offset + limit), total: entries.length };
  }

  private runFile(jobId: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(jobId)) throw new PincerError("INVALID_REQUEST", `"${jobId}" is not a cron job id`);
    return join(this.runsDir, `${jobId}.jsonl`);
  }
}
