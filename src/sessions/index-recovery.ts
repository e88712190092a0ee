import type { Logger } from "../logging/logger.js";
import {
  type LiveTranscript,
  listLiveTranscripts,
  loadIndexFile,
  moveCorruptIndexAside,
  removeStaleIndexTemps,
} from "./index-file.js";
import { parseSessionKey, type SessionKeyDefaults } from "./keys.js";
import { deriveSessionEntry, PATCHABLE_FIELDS, type SessionEntry } from "./session-entry.js";
import { readTranscript, type SessionHeader } from "./transcript.js";

/**
 * Bringing the index back in line with the transcripts, which are the source of truth: on open after a
 * crash (rows the debounced index had not written yet), after a corrupt sessions.json, or on demand.
 */

/**
 * On open, transcripts modified after the index snapshot are re-read: the index may lag them. The margin
 * covers the kernel's coarse file timestamps (a tick of a few ms behind the wall clock).
 */
export const RECONCILE_SLACK_MS = 100;

export interface RecoveryReport {
  index: "loaded" | "missing" | "corrupt";
  /** Where a corrupt sessions.json was moved. */
  movedAside?: string;
  droppedRows: Array<{ key: string; reason: string }>;
  /** Keys added or refreshed from transcripts. */
  reconciled: string[];
  /** Live transcripts without a session key in their header (e.g. written by OpenClaw). */
  unmappedTranscripts: string[];
}

export interface RecoveryContext {
  sessionsDir: string;
  indexPath: string;
  agentId: string;
  keyDefaults: SessionKeyDefaults;
  now: number;
  logger?: Pick<Logger, "warn"> | undefined;
}

export interface LoadedIndex {
  entries: Map<string, SessionEntry>;
  report: RecoveryReport;
  /** The loaded index differs from what is on disk and should be written. */
  changed: boolean;
}

/** Loads sessions.json and reconciles it with newer transcripts; a corrupt index is moved aside and rebuilt. */
export async function loadSessionIndex(ctx: RecoveryContext): Promise<LoadedIndex> {
  const report: RecoveryReport = { index: "loaded", droppedRows: [], reconciled: [], unmappedTranscripts: [] };
  await removeStaleIndexTemps(ctx.sessionsDir);
  const loaded = await loadIndexFile(ctx.indexPath, ctx.keyDefaults);
  if (loaded.status === "ok") {
    report.droppedRows = loaded.dropped;
    const entries = loaded.entries;
    await absorbTranscripts(ctx, entries, report, (t) => t.mtimeMs >= loaded.mtimeMs - RECONCILE_SLACK_MS);
    return { entries, report, changed: loaded.dropped.length > 0 || report.reconciled.length > 0 };
  }
  if (loaded.status === "corrupt") {
    report.index = "corrupt";
    report.movedAside = await moveCorruptIndexAside(ctx.indexPath, ctx.now);
    ctx.logger?.warn(
      { path: ctx.indexPath, movedAside: report.movedAside, reason: loaded.reason },
      "sessions.json was unreadable; moved aside and rebuilt from transcripts",
    );
  } else {
    report.index = "missing";
  }
  const entries = new Map<string, SessionEntry>();
  await absorbTranscripts(ctx, entries, report, () => true);
  return { entries, report, changed: entries.size > 0 || loaded.status === "corrupt" };
}

/** A fresh index derived from every live transcript. */
export async function rebuildSessionIndex(ctx: RecoveryContext, index: RecoveryReport["index"]): Promise<LoadedIndex> {
  const report: RecoveryReport = { index, droppedRows: [], reconciled: [], unmappedTranscripts: [] };
  const entries = new Map<string, SessionEntry>();
  await absorbTranscripts(ctx, entries, report, () => true);
  return { entries, report, changed: true };
}

async function absorbTranscripts(
  ctx: RecoveryContext,
  entries: Map<string, SessionEntry>,
  report: RecoveryReport,
  pick: (t: LiveTranscript) => boolean,
): Promise<void> {
  const files = (await listLiveTranscripts(ctx.sessionsDir)).filter(pick);
  const derived = await Promise.all(files.map((f) => deriveSessionFromTranscript(f, ctx.keyDefaults)));
  // Oldest first, so when a key has several live transcripts (rolled over by policy) the newest wins.
  derived.sort((a, b) => (a.entry.sessionStartedAt ?? 0) - (b.entry.sessionStartedAt ?? 0));
  for (const d of derived) {
    if (!d.key) {
      report.unmappedTranscripts.push(d.entry.sessionId);
      continue;
    }
    if (parseSessionKey(d.key).agentId !== ctx.agentId) continue;
    const current = entries.get(d.key);
    if (!isNewerSession(d.entry, current)) continue;
    entries.set(d.key, mergeDerived(current, d.entry));
    if (!report.reconciled.includes(d.key)) report.reconciled.push(d.key);
  }
}

export interface DerivedSession {
  /** Canonical key from the header; undefined for transcripts written without one. */
  key: string | undefined;
  header: SessionHeader | undefined;
  entry: SessionEntry;
  skippedLines: number;
}

/** Recomputes a session row from one transcript file. */
export async function deriveSessionFromTranscript(
  file: LiveTranscript,
  defaults: SessionKeyDefaults,
): Promise<DerivedSession> {
  const contents = await readTranscript(file.path);
  const header = contents.header ?? {
    type: "session" as const,
    id: file.sessionId,
    timestamp: new Date(file.mtimeMs).toISOString(),
  };
  const entry = deriveSessionEntry({ ...header, id: file.sessionId }, contents.entries, file.mtimeMs);
  let key: string | undefined;
  if (contents.header?.sessionKey) {
    try {
      key = parseSessionKey(contents.header.sessionKey, defaults).key;
    } catch {
      key = undefined;
    }
  }
  return { key, header: contents.header, entry, skippedLines: contents.skipped.length };
}

/** Whether a row derived from a transcript should replace the index's row for the same key. */
export function isNewerSession(candidate: SessionEntry, current: SessionEntry | undefined): boolean {
  if (!current) return true;
  if (candidate.sessionId === current.sessionId) return true;
  return (candidate.sessionStartedAt ?? 0) > (current.sessionStartedAt ?? current.createdAt ?? 0);
}

/**
 * For the same session id, the transcript's counters and settings win while fields only the index knows
 * (OpenClaw extras, the key's creation time) are kept; a different, newer session id replaces the row.
 */
function mergeDerived(current: SessionEntry | undefined, derived: SessionEntry): SessionEntry {
  if (!current || current.sessionId !== derived.sessionId) return derived;
  const merged: SessionEntry = { ...current, ...derived };
  if (current.createdAt !== undefined) merged.createdAt = current.createdAt;
  for (const field of PATCHABLE_FIELDS) if (!(field in derived)) delete merged[field];
  return merged;
}
