import { appendFile, mkdir, readdir, readFile } from "node:fs/promises";
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

/** How many days of history are loaded into memory at start (monthly budgets need at most 31). */
const LOAD_DAYS = 62;

const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);

export class UsageLedger {
  /** date → lines of that day (only the last LOAD_DAYS days). */
  private readonly days = new Map<string, LedgerLine[]>();
  private ready = false;

  constructor(private readonly dir: string) {}

  async load(now = Date.now()): Promise<void> {
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      names = [];
    }
    const oldest = dayOf(now - LOAD_DAYS * 86_400_000);
    for (const name of names) {
      const m = /^(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name);
      if (!m || (m[1] as string) < oldest) continue;
      const text = await readFile(join(this.dir, name), "utf8");
      const lines: LedgerLine[] = [];
      for (const raw of text.split("\n")) {
        if (!raw.trim()) continue;
        try {
          const parsed = LedgerLineSchema.safeParse(JSON.parse(raw));
          if (parsed.success) lines.push(parsed.data);
        } catch {
          // A torn last line after a crash: skip it, the rest of the day still counts.
        }
      }
      this.days.set(m[1] as string, lines);
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
    const list = this.days.get(date) ?? [];
    list.push(line);
    this.days.set(date, list);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await appendFile(join(this.dir, `${date}.jsonl`), `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }

  /** Per-day totals for the last `days` days (oldest first), optionally for one agent. */
  daily(days: number, now = Date.now(), filter: (l: LedgerLine) => boolean = () => true): DayTotals[] {
    const out: DayTotals[] = [];
    for (let i = days - 1; i >= 0; i--) {
      const date = dayOf(now - i * 86_400_000);
      const totals: DayTotals = {
        date,
        input: 0,
        output: 0,
        cacheRead: 0,
        cacheWrite: 0,
        totalTokens: 0,
        totalCost: 0,
        calls: 0,
      };
      for (const l of this.days.get(date) ?? []) {
        if (!filter(l)) continue;
        totals.input += l.input;
        totals.output += l.output;
        totals.cacheRead += l.cacheRead;
        totals.cacheWrite += l.cacheWrite;
        totals.totalTokens += l.totalTokens;
        totals.totalCost += l.costUsd;
        totals.calls += 1;
      }
      totals.totalCost = Math.round(totals.totalCost * 1e8) / 1e8;
      out.push(totals);
    }
    return out;
  }

  /** The sum of `daily` rows. */
  static total(days: DayTotals[]): Omit<DayTotals, "date"> {
    const t = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, totalCost: 0, calls: 0 };
    for (const d of days) {
      t.input += d.input;
      t.output += d.output;
      t.cacheRead += d.cacheRead;
      t.cacheWrite += d.cacheWrite;
      t.totalTokens += d.totalTokens;
      t.totalCost += d.totalCost;
      t.calls += d.calls;
    }
    t.totalCost = Math.round(t.totalCost * 1e8) / 1e8;
    return t;
  }

  /** Totals grouped by a field over the last `days` days. */
  groupBy(
    field: "agentId" | "model" | "provider" | "channel",
    days: number,
    now = Date.now(),
  ): Record<string, { totalTokens: number; totalCost: number; calls: number }> {
    const out: Record<string, { totalTokens: number; totalCost: number; calls: number }> = {};
    const cutoff = dayOf(now - (days - 1) * 86_400_000);
    for (const [date, lines] of this.days) {
      if (date < cutoff) continue;
      for (const l of lines) {
        const k = (field === "model" ? `${l.provider}/${l.model}` : l[field]) ?? "unknown";
        const t = out[k] ?? { totalTokens: 0, totalCost: 0, calls: 0 };
        out[k] = t;
        t.totalTokens += l.totalTokens;
        t.totalCost += l.costUsd;
        t.calls += 1;
      }
    }
    return out;
  }

  get loaded(): boolean {
    return this.ready;
  }
}
