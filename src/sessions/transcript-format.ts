import { randomBytes } from "node:crypto";
import { z } from "zod";
import { PincerError } from "../errors.js";
import { AgentMessageSchema } from "./messages.js";

/**
 * The lines of a session transcript (`<sessionId>.jsonl`), in OpenClaw's (pi SessionManager) shape so
 * transcripts move both ways: a header line, then entries chained by `id`/`parentId`. Pincer adds
 * `sessionKey` to the header (ignored by OpenClaw) so the index can be rebuilt from transcripts alone.
 * Every line is untrusted on read and parsed with these schemas.
 */

/** pi/OpenClaw transcript format version written in new headers. */
export const TRANSCRIPT_VERSION = 3;

export const SessionHeaderSchema = z.looseObject({
  type: z.literal("session"),
  version: z.number().optional(),
  id: z.string().min(1),
  /** ISO 8601. */
  timestamp: z.string(),
  cwd: z.string().optional(),
  parentSession: z.string().optional(),
  /** Pincer: the store key this transcript belongs to. */
  sessionKey: z.string().optional(),
  /** Pincer: when the session key was first created (epoch ms), carried across resets. */
  keyCreatedAt: z.number().optional(),
});
export type SessionHeader = z.infer<typeof SessionHeaderSchema>;

const entryBase = {
  id: z.string().min(1),
  parentId: z.string().nullable().default(null),
  /** ISO 8601. */
  timestamp: z.string(),
};

export const MessageEntrySchema = z.looseObject({
  type: z.literal("message"),
  ...entryBase,
  message: AgentMessageSchema,
});
export type MessageEntry = z.infer<typeof MessageEntrySchema>;

export const CompactionEntrySchema = z.looseObject({
  type: z.literal("compaction"),
  ...entryBase,
  summary: z.string(),
  firstKeptEntryId: z.string(),
  tokensBefore: z.number(),
  details: z.unknown().optional(),
});
export type CompactionEntry = z.infer<typeof CompactionEntrySchema>;

/** Extension/app state that does not enter the model context. */
export const CustomEntrySchema = z.looseObject({
  type: z.literal("custom"),
  ...entryBase,
  customType: z.string().min(1),
  data: z.unknown().optional(),
});
export type CustomEntry = z.infer<typeof CustomEntrySchema>;

export const TranscriptEntrySchema = z.discriminatedUnion("type", [
  MessageEntrySchema,
  CompactionEntrySchema,
  CustomEntrySchema,
]);
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;

/** What a caller appends; id, parentId and timestamp are filled in by the writer. */
export type NewTranscriptEntry =
  | { type: "message"; message: z.input<typeof AgentMessageSchema> }
  | { type: "compaction"; summary: string; firstKeptEntryId: string; tokensBefore: number; details?: unknown }
  | { type: "custom"; customType: string; data?: unknown };

export interface SkippedLine {
  /** 1-based line number; absent for tail reads, which do not count lines from the start. */
  line?: number;
  /** Byte offset of the line's start in the file. */
  offset: number;
  kind: "torn" | "garbage" | "invalid" | "unsupported";
  reason: string;
}

export type ParsedLine =
  | { ok: true; header: SessionHeader }
  | { ok: true; entry: TranscriptEntry }
  | { ok: false; kind: SkippedLine["kind"]; reason: string };

/** Entry types written by OpenClaw/pi that Pincer keeps on disk but does not interpret. */
const FOREIGN_ENTRY_TYPES = new Set([
  "custom_message",
  "branch_summary",
  "model_change",
  "thinking_level_change",
  "label",
  "session_info",
]);

/** Parses one line (without its newline). Never throws. */
export function parseTranscriptLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, kind: "garbage", reason: `not JSON: ${preview(text)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, kind: "garbage", reason: "not a JSON object" };
  }
  const type = (value as { type?: unknown }).type;
  if (type === "session") {
    const header = SessionHeaderSchema.safeParse(value);
    return header.success ? { ok: true, header: header.data } : invalid("session header", header.error);
  }
  if (type === "message" || type === "compaction" || type === "custom") {
    const entry = TranscriptEntrySchema.safeParse(value);
    return entry.success ? { ok: true, entry: entry.data } : invalid(`${type} entry`, entry.error);
  }
  const label = typeof type === "string" ? `"${type}"` : "missing";
  const known = typeof type === "string" && FOREIGN_ENTRY_TYPES.has(type);
  return { ok: false, kind: "unsupported", reason: `${known ? "foreign" : "unknown"} entry type ${label}` };
}

function invalid(what: string, error: z.ZodError): ParsedLine {
  const issue = error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
  return { ok: false, kind: "invalid", reason: `invalid ${what}${where}: ${issue?.message ?? "schema mismatch"}` };
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** 12 hex chars: short like pi's ids, with enough room that 10k-entry transcripts do not collide. */
export function newEntryId(): string {
  return randomBytes(6).toString("hex");
}

/** Completes a new entry and validates it, so nothing unreadable is ever written. */
export function buildEntry(input: NewTranscriptEntry, parentId: string | null, now: number): TranscriptEntry {
  const base = { id: newEntryId(), parentId, timestamp: new Date(now).toISOString() };
  const parsed = TranscriptEntrySchema.safeParse({ ...input, ...base });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new PincerError(
      "INVALID_REQUEST",
      `cannot append ${input.type} entry${where}: ${issue?.message ?? "invalid"}`,
      {
        details: parsed.error.issues,
      },
    );
  }
  return parsed.data;
}

/** One JSONL line. JSON.stringify escapes newlines, so a line always holds exactly one entry. */
export function serializeLine(value: SessionHeader | TranscriptEntry): string {
  return `${JSON.stringify(value)}\n`;
}

/** Epoch ms of an entry's ISO timestamp, or undefined when unreadable. */
export function entryTime(entry: { timestamp: string }): number | undefined {
  const ms = Date.parse(entry.timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}
