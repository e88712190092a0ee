import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type AuditEntry, checkLine, GENESIS_HASH } from "./audit-chain.js";
import { AUDIT_FILE, AUDIT_HEAD_FILE, ROTATED_PATTERN } from "./audit-log.js";

/** Reading and checking the audit log written by src/ops/audit-log.ts (`pincer audit tail|verify`). */

export interface AuditProblem {
  file: string;
  /** 1-based line number in `file`. */
  line?: number;
  seq?: number;
  problem: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  entries: number;
  files: string[];
  last?: { seq: number; ts: string; hash: string };
  problems: AuditProblem[];
  /** Not tampering: a line cut short by a crash that the gateway has not yet repaired. */
  warnings: AuditProblem[];
}

const HeadSchema = z.object({ seq: z.number().int().min(0), hash: z.string() });

/** The segments in chain order: rotated ones by their first seq, then the live file. */
async function segments(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const rotated = names.filter((n) => ROTATED_PATTERN.test(n)).sort();
  return names.includes(AUDIT_FILE) ? [...rotated, AUDIT_FILE] : rotated;
}

async function readHead(dir: string): Promise<z.infer<typeof HeadSchema> | "unreadable" | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, AUDIT_HEAD_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return "unreadable";
  }
  try {
    const parsed = HeadSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : "unreadable";
  } catch {
    return "unreadable";
  }
}

/** Walks the whole chain: every line's own hash, its link to the line before, gap-free seqs, and the head. */
export async function verifyAuditLog(dir: string): Promise<AuditVerifyReport> {
  const files = await segments(dir);
  const problems: AuditProblem[] = [];
  const warnings: AuditProblem[] = [];
  const head = await readHead(dir);
  let prevHash: string | undefined = GENESIS_HASH;
  let prevSeq: number | undefined = 0;
  let entries = 0;
  let last: AuditVerifyReport["last"];
  let headSeen = false;
  for (const file of files) {
    const text = await readFile(join(dir, file), "utf8");
    const lines = text.split("\n");
    const tail = lines.pop() ?? "";
    if (tail !== "") {
      const at = { file, line: lines.length + 1 };
      if (file === AUDIT_FILE)
        warnings.push({
          ...at,
          problem: "the last line is cut short (a crash while writing); the gateway drops it at its next start",
        });
      else problems.push({ ...at, problem: "a rotated segment ends in a partial line" });
    }
    for (const [i, line] of lines.entries()) {
      const at = { file, line: i + 1 };
      const checked = checkLine(line);
      if (!checked.ok) {
        problems.push({ ...at, problem: checked.problem });
        // The links around a damaged line cannot be judged; pick the chain up again at the next good line.
        prevHash = undefined;
        prevSeq = undefined;
        continue;
      }
      const e = checked.entry;
      entries += 1;
      if (prevSeq !== undefined && e.seq !== prevSeq + 1) {
        problems.push({
          ...at,
          seq: e.seq,
          problem:
            e.seq <= prevSeq
              ? `seq ${e.seq} repeats or goes back (after ${prevSeq})`
              : `entries ${prevSeq + 1}–${e.seq - 1} are missing`,
        });
      } else if (prevHash !== undefined && e.prev !== prevHash) {
        problems.push({
          ...at,
          seq: e.seq,
          problem: "does not link to the line before (that line was edited, or lines were removed)",
        });
      }
      if (head && head !== "unreadable" && e.seq === head.seq) {
        headSeen = true;
        if (e.hash !== head.hash)
          problems.push({ ...at, seq: e.seq, problem: `differs from the last entry recorded in ${AUDIT_HEAD_FILE}` });
      }
      prevHash = e.hash;
      prevSeq = e.seq;
      last = { seq: e.seq, ts: e.ts, hash: e.hash };
    }
  }
  if (head === "unreadable") problems.push({ file: AUDIT_HEAD_FILE, problem: "unreadable or not a head record" });
  else if (head && head.seq > 0 && !headSeen) {
    problems.push({
      file: AUDIT_HEAD_FILE,
      seq: head.seq,
      problem: `records entry ${head.seq}, but the log ${last ? `ends at ${last.seq}` : "is empty"}: entries were removed from the end`,
    });
  } else if (!head && entries > 0) {
    problems.push({
      file: AUDIT_HEAD_FILE,
      problem: "missing, so removal of entries from the end cannot be ruled out",
    });
  }
  return { ok: problems.length === 0, entries, files, ...(last ? { last } : {}), problems, warnings };
}

/** The last `n` entries (of `type` when given), oldest first. Damaged lines are skipped; verify reports them. */
export async function readAuditTail(dir: string, n: number, type?: string): Promise<AuditEntry[]> {
  const files = await segments(dir);
  const out: AuditEntry[] = [];
  for (let f = files.length - 1; f >= 0 && out.length < n; f -= 1) {
    const lines = (await readFile(join(dir, files[f] as string), "utf8")).split("\n");
    for (let i = lines.length - 1; i >= 0 && out.length < n; i -= 1) {
      const checked = checkLine(lines[i] as string);
      if (!checked.ok) continue;
      if (type && checked.entry.type !== type && !checked.entry.type.startsWith(`${type}.`)) continue;
      out.push(checked.entry);
    }
  }
  return out.reverse();
}
