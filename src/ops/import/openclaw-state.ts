import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { z } from "zod";
import { type AgentMessage, AgentMessageSchema } from "../../sessions/messages.js";

/**
 * Reading an OpenClaw state folder. Recent OpenClaw keeps sessions, cron jobs and pairing in SQLite
 * (`state/openclaw.sqlite`, `agents/<id>/agent/openclaw-agent.sqlite`); older releases kept JSON files
 * (`cron/jobs.json`, `credentials/<channel>-allowFrom.json`, `agents/<id>/sessions/*.jsonl`). Both are read.
 * Everything here only reads; nothing of the OpenClaw folder is changed.
 */

interface Db {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
  close(): void;
}

function openReadonly(file: string): Db | undefined {
  if (!existsSync(file)) return undefined;
  const Database = createRequire(import.meta.url)("better-sqlite3") as new (
    f: string,
    o: { readonly: boolean; fileMustExist: boolean },
  ) => Db;
  return new Database(file, { readonly: true, fileMustExist: true });
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").all(name).length > 0;
}

export interface ImportedSession {
  agentId: string;
  key: string;
  messages: AgentMessage[];
  /** Events that were not messages (model changes, custom entries, compactions) or did not parse. */
  skippedEvents: number;
  /** Events stored zstd-compressed that this Node cannot decompress. */
  unreadable: number;
}

export interface SessionsRead {
  sessions: ImportedSession[];
  /** Earlier session windows (before /new or a reset) that were not imported. */
  olderWindows: number;
}

const EventSchema = z.looseObject({ type: z.string(), message: z.unknown().optional() });

type Zstd = { zstdDecompressSync?: (b: Buffer) => Buffer };

function parseEvent(json: string, into: { messages: AgentMessage[]; skippedEvents: number }): void {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    into.skippedEvents += 1;
    return;
  }
  const ev = EventSchema.safeParse(raw);
  const msg = ev.success && ev.data.type === "message" ? AgentMessageSchema.safeParse(ev.data.message) : undefined;
  if (msg?.success) into.messages.push(msg.data);
  else into.skippedEvents += 1;
}

async function agentIds(openclawDir: string): Promise<string[]> {
  return (await readdir(join(openclawDir, "agents"), { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

export async function readSessions(openclawDir: string): Promise<SessionsRead> {
  const out: SessionsRead = { sessions: [], olderWindows: 0 };
  const decompress = (zlib as Zstd).zstdDecompressSync;
  for (const agentId of await agentIds(openclawDir)) {
    const seen = new Set<string>();
    const db = openReadonly(join(openclawDir, "agents", agentId, "agent", "openclaw-agent.sqlite"));
    if (db) {
      try {
        if (hasTable(db, "session_nodes") && hasTable(db, "transcript_events")) {
          const nodes = db.prepare("SELECT session_key, current_session_id FROM session_nodes").all() as {
            session_key: string;
            current_session_id: string;
          }[];
          for (const node of nodes) {
            const s: ImportedSession = {
              agentId,
              key: node.session_key,
              messages: [],
              skippedEvents: 0,
              unreadable: 0,
            };
            const rows = db
              .prepare("SELECT event_json, event_zstd FROM transcript_events WHERE session_id = ? ORDER BY seq")
              .all(node.current_session_id) as { event_json: string | null; event_zstd: Buffer | null }[];
            for (const row of rows) {
              if (row.event_json !== null) parseEvent(row.event_json, s);
              else if (row.event_zstd && decompress) parseEvent(decompress(row.event_zstd).toString("utf8"), s);
              else s.unreadable += 1;
            }
            seen.add(node.session_key);
            out.sessions.push(s);
          }
          if (hasTable(db, "session_windows")) {
            const windows = db.prepare("SELECT COUNT(*) AS n FROM session_windows").all() as { n: number }[];
            out.olderWindows += Math.max(0, (windows[0]?.n ?? 0) - nodes.length);
          }
        }
      } finally {
        db.close();
      }
    }
    // Older releases: sessions.json (key → { sessionId }) and one JSONL transcript per session.
    const dir = join(openclawDir, "agents", agentId, "sessions");
    const index = await readFile(join(dir, "sessions.json"), "utf8").catch(() => undefined);
    if (index === undefined) continue;
    let entries: Record<string, unknown> = {};
    try {
      const parsed = z.record(z.string(), z.looseObject({ sessionId: z.string() })).safeParse(JSON.parse(index));
      if (parsed.success) entries = parsed.data;
    } catch {
      continue;
    }
    for (const [key, entry] of Object.entries(entries)) {
      if (seen.has(key)) continue;
      const sessionId = (entry as { sessionId: string }).sessionId;
      const text = await readFile(join(dir, `${sessionId}.jsonl`), "utf8").catch(() => undefined);
      if (text === undefined) continue;
      const s: ImportedSession = { agentId, key, messages: [], skippedEvents: 0, unreadable: 0 };
      for (const line of text.split("\n")) if (line.trim()) parseEvent(line, s);
      out.sessions.push(s);
    }
  }
  return out;
}

export interface CronRead {
  /** Jobs as OpenClaw stored them (its CronJob shape), for conversion. */
  jobs: Record<string, unknown>[];
}

const JobRowSchema = z.looseObject({ id: z.string(), name: z.string() });

export async function readCronJobs(openclawDir: string): Promise<CronRead> {
  const jobs: Record<string, unknown>[] = [];
  const ids = new Set<string>();
  const db = openReadonly(join(openclawDir, "state", "openclaw.sqlite"));
  if (db) {
    try {
      if (hasTable(db, "cron_jobs")) {
        for (const row of db.prepare("SELECT job_json FROM cron_jobs ORDER BY sort_order").all() as {
          job_json: string;
        }[]) {
          try {
            const job = JobRowSchema.safeParse(JSON.parse(row.job_json));
            if (job.success && !ids.has(job.data.id)) {
              ids.add(job.data.id);
              jobs.push(job.data);
            }
          } catch {
            // an unreadable row is not a job
          }
        }
      }
    } finally {
      db.close();
    }
  }
  const file = await readFile(join(openclawDir, "cron", "jobs.json"), "utf8").catch(() => undefined);
  if (file !== undefined) {
    try {
      const parsed = z.looseObject({ jobs: z.array(z.unknown()) }).safeParse(JSON.parse(file));
      for (const raw of parsed.success ? parsed.data.jobs : []) {
        const job = JobRowSchema.safeParse(raw);
        if (job.success && !ids.has(job.data.id)) {
          ids.add(job.data.id);
          jobs.push(job.data);
        }
      }
    } catch {
      // not JSON: nothing to import from it
    }
  }
  return { jobs };
}

export interface AllowEntry {
  channel: string;
  accountId: string;
  senderId: string;
}

export interface PairingRead {
  allow: AllowEntry[];
  /** Pending requests (their codes expire within the hour, so they are not carried over). */
  pending: number;
}

export async function readPairing(openclawDir: string): Promise<PairingRead> {
  const allow: AllowEntry[] = [];
  let pending = 0;
  const db = openReadonly(join(openclawDir, "state", "openclaw.sqlite"));
  if (db) {
    try {
      if (hasTable(db, "channel_pairing_allow_entries")) {
        const rows = db
          .prepare("SELECT channel_key, account_id, entry FROM channel_pairing_allow_entries ORDER BY sort_order")
          .all() as {
          channel_key: string;
          account_id: string;
          entry: string;
        }[];
        for (const r of rows)
          allow.push({ channel: r.channel_key, accountId: r.account_id || "default", senderId: r.entry });
      }
      if (hasTable(db, "channel_pairing_requests")) {
        pending +=
          (db.prepare("SELECT COUNT(*) AS n FROM channel_pairing_requests").all() as { n: number }[])[0]?.n ?? 0;
      }
    } finally {
      db.close();
    }
  }
  // Older releases: credentials/<channel>-allowFrom.json, a list of sender ids (or { allowFrom: [...] }).
  for (const name of await readdir(join(openclawDir, "credentials")).catch(() => [] as string[])) {
    const m = /^([a-z0-9_-]+?)(?:-([a-z0-9_-]+))?-allowFrom\.json$/i.exec(name);
    if (!m) continue;
    try {
      const raw: unknown = JSON.parse(await readFile(join(openclawDir, "credentials", name), "utf8"));
      const list = Array.isArray(raw)
        ? raw
        : (z.looseObject({ allowFrom: z.array(z.unknown()) }).safeParse(raw).data?.allowFrom ?? []);
      for (const id of list) {
        if (typeof id === "string" || typeof id === "number")
          allow.push({ channel: m[1] as string, accountId: m[2] ?? "default", senderId: String(id) });
      }
    } catch {
      // unreadable: reported by the caller as nothing found
    }
  }
  return { allow, pending };
}
