import { readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../config/write.js";
import { parseSessionKey, type SessionKeyDefaults } from "./keys.js";
import { type SessionEntry, SessionEntrySchema } from "./session-entry.js";
import { archiveStamp } from "./transcript.js";

/**
 * sessions.json on disk: a plain `{ [sessionKey]: SessionEntry }` object, as OpenClaw writes it, and
 * the scan of live transcripts it can always be rebuilt from.
 */

export const INDEX_FILE_NAME = "sessions.json";
/** The index names every conversation: owner-only, like the transcripts. */
export const INDEX_FILE_MODE = 0o600;

const LIVE_TRANSCRIPT_RE = /^([A-Za-z0-9][A-Za-z0-9_-]{0,127})\.jsonl$/;

export type IndexLoad =
  | { status: "missing" }
  | { status: "corrupt"; reason: string }
  | {
      status: "ok";
      entries: Map<string, SessionEntry>;
      dropped: Array<{ key: string; reason: string }>;
      mtimeMs: number;
    };

/** Reads and validates sessions.json. Invalid rows are dropped and reported; an unreadable file is "corrupt". */
export async function loadIndexFile(path: string, defaults: SessionKeyDefaults): Promise<IndexLoad> {
  let raw: string;
  let mtimeMs: number;
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    raw = text;
    mtimeMs = info.mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { status: "missing" };
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    return { status: "corrupt", reason: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { status: "corrupt", reason: "top level is not an object of session entries" };
  }
  const entries = new Map<string, SessionEntry>();
  const dropped: Array<{ key: string; reason: string }> = [];
  for (const [rawKey, value] of Object.entries(doc)) {
    const parsed = SessionEntrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      dropped.push({ key: rawKey, reason: `${issue?.path.join(".") || "entry"}: ${issue?.message ?? "invalid"}` });
      continue;
    }
    let key: string;
    try {
      key = parseSessionKey(rawKey, defaults).key;
    } catch (err) {
      dropped.push({ key: rawKey, reason: (err as Error).message });
      continue;
    }
    const entry = parsed.data;
    if (entry.createdAt === undefined) entry.createdAt = entry.sessionStartedAt ?? entry.updatedAt;
    // Two spellings of one key (e.g. different case from an old store): the most recently used wins.
    const existing = entries.get(key);
    if (!existing || existing.updatedAt < entry.updatedAt) entries.set(key, entry);
  }
  return { status: "ok", entries, dropped, mtimeMs };
}

/**
 * Writes the index atomically and stamps its mtime with the moment the map was serialized, so that on the
 * next open every transcript written after that moment (and possibly missing from this index) is known.
 */
export async function writeIndexFile(path: string, entries: Map<string, SessionEntry>): Promise<void> {
  const snapshotSeconds = Date.now() / 1000;
  const text = `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
  await writeFileAtomic(path, text, INDEX_FILE_MODE);
  // Best effort: without the stamp the mtime is the (slightly later) write time, a window of a few ms.
  await utimes(path, snapshotSeconds, snapshotSeconds).catch(() => undefined);
}

/** Moves an unreadable index aside (never deletes it) and returns where it went. */
export async function moveCorruptIndexAside(path: string, now: number): Promise<string> {
  const target = `${path}.corrupt.${archiveStamp(now)}`;
  await rename(path, target);
  return target;
}

/**
 * Deletes temp files of index writes interrupted by a crash (`.sessions.json.<pid>.<rand>.tmp`). Safe at
 * open: one process owns a state dir, so no other writer can be mid-write.
 */
export async function removeStaleIndexTemps(sessionsDir: string): Promise<string[]> {
  const names = await readdir(sessionsDir).catch(() => [] as string[]);
  const stale = names.filter((n) => n.startsWith(`.${INDEX_FILE_NAME}.`) && n.endsWith(".tmp"));
  await Promise.all(stale.map((n) => rm(join(sessionsDir, n), { force: true })));
  return stale;
}

export interface LiveTranscript {
  sessionId: string;
  path: string;
  mtimeMs: number;
  size: number;
}

/** Live transcripts (`<sessionId>.jsonl`; archives and rotations excluded) in a sessions folder. */
export async function listLiveTranscripts(sessionsDir: string): Promise<LiveTranscript[]> {
  let names: string[];
  try {
    names = await readdir(sessionsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const found: LiveTranscript[] = [];
  await Promise.all(
    names.map(async (name) => {
      const m = LIVE_TRANSCRIPT_RE.exec(name);
      if (!m) return;
      const path = join(sessionsDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile()) found.push({ sessionId: m[1]!, path, mtimeMs: info.mtimeMs, size: info.size });
    }),
  );
  return found;
}
