import { closeSync, constants, mkdirSync, openSync, writeSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { Usage } from "../sessions/messages.js";

/**
 * Every model call's usage, one JSON line per call in `usage/YYYY-MM-DD.jsonl` (UTC days). Budgets and the
 * `usage.*` methods read their totals from here; the transcripts keep the same numbers per message, so the
 * ledger can be rebuilt, but reading it is cheap for reports over many sessions.
 */
export const LedgerLineSchema = z.object({
  ts: z.number(),
  agentId: z.string(),
  sessionKey: z.string(),
  provider: z.string(),
  model: z.string(),
  channel: z.string().optional(),
  input: z.number(),
  output: z.number(),
  cacheRead: z.number(),
  cacheWrite: z.number(),
  reasoning: z.number().default(0),
  totalTokens: z.number(),
  costUsd: z.number(),
});
export type LedgerLine = z.infer<typeof LedgerLineSchema>;

/** What a day's usage is grouped by in memory: everything `daily` filters on and `groupBy` groups by. */
export interface LedgerKey {
  agentId: string;
  provider: string;
  model: string;
  channel?: string;
}

/** One day's sums for one key. */
interface LedgerGroup extends LedgerKey {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  costUsd: number;
  calls: number;
}

export interface DayTotals {
  date: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  totalCost: number;
  calls: number;
}

/** Field-wise sum of token counts, cost (rounded to 1e-8 USD against float drift) and calls. */
type TokenCounts = Pick<DayTotals, "input" | "output" | "cacheRead" | "cacheWrite" | "totalTokens" | "calls">;

function sumTotals<R extends TokenCounts>(rows: Iterable<R>, cost: (row: R) => number): Omit<DayTotals, "date"> {
  const t = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, totalCost: 0, calls: 0 };
  for (const r of rows) {
    t.input += r.input;
    t.output += r.output;
    t.cacheRead += r.cacheRead;
    t.cacheWrite += r.cacheWrite;
    t.totalTokens += r.totalTokens;
    t.totalCost += cost(r);
    t.calls += r.calls;
  }
  t.totalCost = Math.round(t.totalCost * 1e8) / 1e8;
  return t;
}

/** How many days of history are kept in memory (monthly budgets need at most 31). */
const LOAD_DAYS = 62;
const DAY_MS = 86_400_000;

const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);

// NUL cannot occur in the ids; an absent channel is told apart from an empty one.
const groupKey = (l: LedgerKey) => `${l.agentId}\0${l.provider}\0${l.model}\0${l.channel ?? "\u0001"}`;

/**
 * Memory holds per-day sums keyed by agent, provider, model and channel, not the lines: a busy gateway
 * makes tens of thousands of calls a day, and keeping each line (~250 B) for 62 days was a steady leak.
 * Writing holds the current day's file open (O_APPEND) and writes each line with one synchronous
 * `write()`: a ~250-byte append to the page cache costs microseconds, far less than a thread-pool round
 * trip, and a line has reached the kernel before `record` resolves, so neither a graceful shutdown nor a
 * crash of the process loses one.
 */
export class UsageLedger {
  /** date → key → that day's sums (only the last LOAD_DAYS days). */
  private readonly days = new Map<string, Map<string, LedgerGroup>>();
  private ready = false;
  private dirMade = false;
  private open: { date: string; fd: number } | undefined;

  constructor(private readonly dir: string) {}

  async load(now = Date.now()): Promise<void> {
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      names = [];
    }
    const oldest = dayOf(now - LOAD_DAYS * DAY_MS);
    for (const name of names) {
      const m = /^(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name);
      if (!m || (m[1] as string) < oldest) continue;
      const text = await readFile(join(this.dir, name), "utf8");
      for (const raw of text.split("\n")) {
        if (!raw.trim()) continue;
        try {
          const parsed = LedgerLineSchema.safeParse(JSON.parse(raw));
          // Filed under the file's day, as before: a line's `ts` may be a moment before midnight.
          if (parsed.success) this.add(m[1] as string, parsed.data);
        } catch {
          // A torn last line after a crash: skip it, the rest of the day still counts.
        }
      }
    }
    this.ready = true;
  }

  async record(
    entry: Omit<LedgerLine, "input" | "output" | "cacheRead" | "cacheWrite" | "reasoning" | "totalTokens" | "costUsd">,
    usage: Usage,
  ): Promise<void> {
    const line: LedgerLine = {
      ...entry,
      input: usage.input,
      output: usage.output,
      cacheRead: usage.cacheRead,
      cacheWrite: usage.cacheWrite,
      reasoning: usage.reasoning,
      totalTokens: usage.totalTokens,
      costUsd: usage.cost.total,
    };
    const date = dayOf(line.ts);
    if (!this.days.has(date)) this.forgetBefore(dayOf(line.ts - LOAD_DAYS * DAY_MS));
    this.add(date, line);
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    const fd = this.fdFor(date);
    let written = 0;
    // A short write only happens on a full disk or a signal; with O_APPEND the rest still lands in place.
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  }

  /** Closes the held file; a later `record` opens it again. */
  close(): void {
    if (!this.open) return;
    const { fd } = this.open;
    this.open = undefined;
    closeSync(fd);
  }

  /** Per-day totals for the last `days` days (oldest first), optionally for matching keys only. */
  daily(days: number, now = Date.now(), filter: (k: LedgerKey) => boolean = () => true): DayTotals[] {
    const out: DayTotals[] = [];
    for (let i = days - 1; i >= 0; i--) {
      const date = dayOf(now - i * DAY_MS);
      const groups = [...(this.days.get(date)?.values() ?? [])].filter(filter);
      out.push({ date, ...sumTotals(groups, (g) => g.costUsd) });
    }
    return out;
  }

  /** The sum of `daily` rows. */
  static total(days: DayTotals[]): Omit<DayTotals, "date"> {
    return sumTotals(days, (d) => d.totalCost);
  }

  /** Totals grouped by a field over the last `days` days. */
  groupBy(
    field: "agentId" | "model" | "provider" | "channel",
    days: number,
    now = Date.now(),
  ): Record<string, { totalTokens: number; totalCost: number; calls: number }> {
    const out: Record<string, { totalTokens: number; totalCost: number; calls: number }> = {};
    const cutoff = dayOf(now - (days - 1) * DAY_MS);
    for (const [date, groups] of this.days) {
      if (date < cutoff) continue;
      for (const g of groups.values()) {
        const k = (field === "model" ? `${g.provider}/${g.model}` : g[field]) ?? "unknown";
        const t = out[k] ?? { totalTokens: 0, totalCost: 0, calls: 0 };
        out[k] = t;
        t.totalTokens += g.totalTokens;
        t.totalCost += g.costUsd;
        t.calls += g.calls;
      }
    }
    return out;
  }

  get loaded(): boolean {
    return this.ready;
  }

  private add(date: string, line: LedgerLine): void {
    let groups = this.days.get(date);
    if (!groups) {
      groups = new Map();
      this.days.set(date, groups);
    }
    const key = groupKey(line);
    let g = groups.get(key);
    if (!g) {
      g = {
        agentId: line.agentId,
        provider: line.provider,
        model: line.model,
        ...(line.channel !== undefined ? { channel: line.channel } : {}),
        input: 0,
        output: 0,
        cacheRead: 0,
        cacheWrite: 0,
        totalTokens: 0,
        costUsd: 0,
        calls: 0,
      };
      groups.set(key, g);
    }
    g.input += line.input;
    g.output += line.output;
    g.cacheRead += line.cacheRead;
    g.cacheWrite += line.cacheWrite;
    g.totalTokens += line.totalTokens;
    g.costUsd += line.costUsd;
    g.calls += 1;
  }

  /** Drops days no report or budget reads any more, so a gateway running for months stays bounded. */
  private forgetBefore(oldest: string): void {
    for (const date of this.days.keys()) if (date < oldest) this.days.delete(date);
  }

  /** The descriptor of `date`'s file, opened (and the folder made) on first use. */
  private fdFor(date: string): number {
    if (this.open?.date === date) return this.open.fd;
    this.close();
    const path = join(this.dir, `${date}.jsonl`);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;
    if (!this.dirMade) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.dirMade = true;
    }
    const fd = openSync(path, flags, 0o600);
    this.open = { date, fd };
    return fd;
  }
}
