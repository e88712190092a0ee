import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * The audit log's line format. Each line is one JSON object whose last member is `hash`: the SHA-256 of the
 * line's own bytes up to that member (the object closed with `}` in place of `,"hash":…`). The body holds
 * `prev`, the hash of the line before, so editing, removing or reordering any line breaks the chain from there
 * on. Hashing the exact bytes (not a re-serialization) means what is checked is what is on disk.
 */

/** `prev` of the first line ever written. */
export const GENESIS_HASH = "0".repeat(64);

export const AuditEntrySchema = z.strictObject({
  seq: z.number().int().min(1),
  ts: z.string(),
  type: z.string().min(1),
  actor: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
  prev: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export type AuditBody = Omit<AuditEntry, "hash">;

const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** One line (without its newline) for `body`, with its hash appended. */
export function sealLine(body: AuditBody): { line: string; hash: string } {
  const ordered = {
    seq: body.seq,
    ts: body.ts,
    type: body.type,
    ...(body.actor === undefined ? {} : { actor: body.actor }),
    data: body.data,
    prev: body.prev,
  };
  const text = JSON.stringify(ordered);
  const hash = sha256(text);
  return { line: `${text.slice(0, -1)},"hash":"${hash}"}`, hash };
}

export type LineCheck = { ok: true; entry: AuditEntry } | { ok: false; problem: string };

/** Parses one line and checks that its hash matches its bytes (not yet its place in the chain). */
export function checkLine(line: string): LineCheck {
  const suffix = HASH_SUFFIX.exec(line);
  if (!suffix) return { ok: false, problem: "not a sealed audit line (no trailing hash)" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, problem: "not valid JSON" };
  }
  const entry = AuditEntrySchema.safeParse(parsed);
  if (!entry.success)
    return { ok: false, problem: `not an audit entry: ${entry.error.issues[0]?.message ?? "invalid"}` };
  const body = `${line.slice(0, suffix.index)}}`;
  if (sha256(body) !== suffix[1])
    return { ok: false, problem: "content does not match its hash (the line was edited)" };
  return { ok: true, entry: entry.data };
}
