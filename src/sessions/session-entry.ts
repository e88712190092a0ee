import { z } from "zod";
import { PincerError } from "../errors.js";
import { entryTime, type SessionHeader, type TranscriptEntry } from "./transcript-format.js";

/**
 * One row of sessions.json (`sessionKey → SessionEntry`). Field names are OpenClaw's SessionEntry names
 * where the concept exists, and unknown fields of an imported OpenClaw store are kept as they are.
 * Everything here can be recomputed from the transcript: counters from message usage, settings from
 * `pincer.session-patch` custom entries, so a lost or corrupt index is rebuilt without loss.
 */

/** Changes to a session's settings, mirrored into its transcript so the index stays rebuildable. */
export const SESSION_PATCH_CUSTOM_TYPE = "pincer.session-patch";

const nullableText = (max: number) => z.string().trim().min(1).max(max).nullable();

/** Fields a client, the router or the agent may set; `null` clears one. */
export const SessionPatchSchema = z.strictObject({
  label: nullableText(512).optional(),
  displayName: nullableText(512).optional(),
  /** "provider/model" override for this session. */
  model: nullableText(256).optional(),
  thinkingLevel: nullableText(64).optional(),
  verboseLevel: nullableText(64).optional(),
  reasoningLevel: nullableText(64).optional(),
  /** The model's context window as last resolved for this session, in tokens. */
  contextTokens: z.number().int().min(0).nullable().optional(),
  chatType: z.enum(["direct", "group", "channel"]).nullable().optional(),
  /** Where replies go by default: the last channel, recipient, account and thread seen. */
  lastChannel: nullableText(128).optional(),
  lastTo: nullableText(512).optional(),
  lastAccountId: nullableText(128).optional(),
  lastThreadId: nullableText(256).optional(),
});
export type SessionPatch = z.infer<typeof SessionPatchSchema>;
export const PATCHABLE_FIELDS = Object.keys(SessionPatchSchema.shape) as Array<keyof SessionPatch>;

const count = z.number().finite().min(0).default(0);

export const SessionEntrySchema = z.looseObject({
  sessionId: z.string().min(1),
  /** When this key was first created (epoch ms); survives resets. */
  createdAt: z.number().optional(),
  /** Last mutation of this row (epoch ms); used for listing and pruning. */
  updatedAt: z.number(),
  /** When the current session id started; daily reset freshness uses this. */
  sessionStartedAt: z.number().optional(),
  /** Last real user/channel interaction; idle reset freshness uses this. */
  lastInteractionAt: z.number().optional(),
  /** OpenClaw: explicit transcript file name when it differs from `<sessionId>.jsonl`. */
  sessionFile: z.string().optional(),
  label: z.string().optional(),
  displayName: z.string().optional(),
  model: z.string().optional(),
  thinkingLevel: z.string().optional(),
  verboseLevel: z.string().optional(),
  reasoningLevel: z.string().optional(),
  chatType: z.enum(["direct", "group", "channel"]).optional(),
  lastChannel: z.string().optional(),
  lastTo: z.string().optional(),
  lastAccountId: z.string().optional(),
  lastThreadId: z.string().optional(),
  /** Input tokens summed over the current session id. */
  inputTokens: count,
  /** Output tokens summed over the current session id. */
  outputTokens: count,
  /** Tokens of the latest model call (prompt + output): how full the context is. */
  totalTokens: count,
  contextTokens: z.number().optional(),
  /** USD summed over the current session id, from message usage. */
  estimatedCostUsd: count,
  compactionCount: z.number().int().min(0).default(0),
});
export type SessionEntry = z.infer<typeof SessionEntrySchema>;

export function parsePatch(fields: unknown): SessionPatch {
  const parsed = SessionPatchSchema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` "${issue.path.join(".")}"` : "";
  throw new PincerError("INVALID_REQUEST", `invalid session patch field${where}: ${issue?.message ?? "invalid"}`, {
    details: parsed.error.issues,
  });
}

/** Applies a patch in place; returns the fields that actually changed (an empty patch changes nothing). */
export function applyPatch(entry: SessionEntry, patch: SessionPatch): SessionPatch {
  const changed: Record<string, unknown> = {};
  const target = entry as Record<string, unknown>;
  for (const field of PATCHABLE_FIELDS) {
    if (!(field in patch)) continue;
    const value = patch[field];
    if (value === undefined) continue;
    if (value === null) {
      if (target[field] === undefined) continue;
      delete target[field];
    } else {
      if (target[field] === value) continue;
      target[field] = value;
    }
    changed[field] = value;
  }
  return changed as SessionPatch;
}

/** A fresh row for a new session id. `carry` keeps settings across a reset. */
export function newSessionEntry(sessionId: string, now: number, carry?: SessionEntry): SessionEntry {
  const entry = SessionEntrySchema.parse({ sessionId, createdAt: now, updatedAt: now, sessionStartedAt: now });
  if (!carry) return entry;
  if (carry.createdAt !== undefined) entry.createdAt = carry.createdAt;
  applyPatch(entry, carriedSettings(carry));
  return entry;
}

/** The settings of an entry that survive a reset (labels, model choice, delivery target). */
export function carriedSettings(entry: SessionEntry): SessionPatch {
  const patch: Record<string, unknown> = {};
  for (const field of PATCHABLE_FIELDS) {
    const value = (entry as Record<string, unknown>)[field];
    if (value !== undefined) patch[field] = value;
  }
  return SessionPatchSchema.parse(patch);
}

/**
 * Folds one transcript entry into the row: the single place counters are computed, used both on append
 * and when rebuilding from a transcript, so the two cannot disagree.
 */
export function applyTranscriptEntry(entry: SessionEntry, te: TranscriptEntry): void {
  const at = entryTime(te);
  if (at !== undefined && at > entry.updatedAt) entry.updatedAt = at;
  if (te.type === "message") {
    const message = te.message;
    if (message.role === "user") {
      entry.lastInteractionAt = Math.max(entry.lastInteractionAt ?? 0, message.timestamp, at ?? 0);
    } else if (message.role === "assistant" && message.usage) {
      const usage = message.usage;
      entry.inputTokens += usage.input;
      entry.outputTokens += usage.output;
      const total = usage.totalTokens || usage.input + usage.cacheRead + usage.cacheWrite + usage.output;
      if (total > 0) entry.totalTokens = total;
      entry.estimatedCostUsd += usage.cost.total;
    }
  } else if (te.type === "compaction") {
    entry.compactionCount += 1;
  } else if (te.customType === SESSION_PATCH_CUSTOM_TYPE) {
    const patch = SessionPatchSchema.safeParse(te.data);
    if (patch.success) applyPatch(entry, patch.data);
  }
}

/** Rebuilds a row from a transcript's header and entries. */
export function deriveSessionEntry(
  header: SessionHeader,
  entries: TranscriptEntry[],
  fallbackTime: number,
): SessionEntry {
  const started = entryTime(header) ?? fallbackTime;
  const entry = newSessionEntry(header.id, started);
  if (header.keyCreatedAt !== undefined) entry.createdAt = header.keyCreatedAt;
  for (const te of entries) applyTranscriptEntry(entry, te);
  return entry;
}
