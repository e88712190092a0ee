import { createHash, randomInt } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { STATE_DIR_MODE, writeFileAtomic } from "../../config/write.js";
import { PincerError } from "../../errors.js";
import { KeyedQueue } from "../../sessions/queue.js";

/**
 * Pending pairing requests and the senders approved through them, one file per channel:
 * `credentials/<channel>-pairing.json` (0600, written atomically). A stranger's DM creates a request with an
 * 8-character code; the owner approves it with `pincer pairing approve <channel> <code>`, which moves the sender
 * into the channel's stored allowFrom. Codes expire after an hour; a channel holds at most three pending.
 */

/** No 0/O, 1/I: a code read aloud or off a phone screen is typed right the first time. */
export const PAIRING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const PAIRING_CODE_LENGTH = 8;
/** How long a code stays valid: long enough to reach the owner, short enough that a leaked code goes stale. */
export const PAIRING_TTL_MS = 60 * 60_000;
/** Pending requests per channel; more strangers are ignored until one is approved, rejected or expires. */
export const MAX_PENDING_PER_CHANNEL = 3;

const RequestSchema = z.object({
  senderId: z.string().min(1),
  accountId: z.string().min(1),
  code: z.string().min(1),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  senderLabel: z.string().optional(),
  meta: z.record(z.string(), z.string()).optional(),
});
const FileSchema = z.object({
  version: z.literal(1),
  requests: z.array(RequestSchema).default([]),
  /** accountId → approved sender ids. */
  allowFrom: z.record(z.string(), z.array(z.string())).default({}),
});
type PairingFile = z.infer<typeof FileSchema>;
type StoredRequest = z.infer<typeof RequestSchema>;

export interface PairingRequest extends StoredRequest {
  channel: string;
  /** Stable opaque id (OpenClaw's requestId): approve without exposing the code. */
  requestId: string;
  expiresAt: number;
}

export type UpsertResult =
  | { status: "created"; code: string }
  | { status: "pending"; code: string }
  | { status: "limit" };

export function randomPairingCode(taken: ReadonlySet<string> = new Set()): string {
  for (;;) {
    let code = "";
    for (let i = 0; i < PAIRING_CODE_LENGTH; i++)
      code += PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)];
    if (!taken.has(code)) return code;
  }
}

function requestIdOf(channel: string, r: StoredRequest): string {
  return createHash("sha256")
    .update(`${channel}\0${r.accountId}\0${r.senderId}\0${r.createdAt}`)
    .digest("base64url")
    .slice(0, 32);
}

const CHANNEL_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export class PairingStore {
  private readonly queue = new KeyedQueue();
  /** Parsed files with the mtime they were read at; re-read when the file changes under us. */
  private readonly cache = new Map<string, { mtimeMs: number; data: PairingFile }>();

  constructor(
    readonly credentialsDir: string,
    private readonly now: () => number = Date.now,
  ) {}

  private fileOf(channel: string): string {
    if (!CHANNEL_ID_RE.test(channel)) {
      throw new PincerError("INVALID_REQUEST", `"${channel}" is not a channel id (lowercase letters, digits, - and _)`);
    }
    return path.join(this.credentialsDir, `${channel}-pairing.json`);
  }

  private async read(channel: string): Promise<PairingFile> {
    const file = this.fileOf(channel);
    let stat: { mtimeMs: number };
    try {
      stat = await fs.stat(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, requests: [], allowFrom: {} };
      throw err;
    }
    const hit = this.cache.get(channel);
    if (hit && hit.mtimeMs === stat.mtimeMs) return structuredClone(hit.data);
    const raw = await fs.readFile(file, "utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new PincerError("CONFIG_INVALID", `${file} is not valid JSON: fix or delete it (pending codes are lost)`);
    }
    const result = FileSchema.safeParse(parsed);
    if (!result.success) {
      throw new PincerError(
        "CONFIG_INVALID",
        `${file} does not look like a pairing store: ${result.error.issues[0]?.message}`,
      );
    }
    this.cache.set(channel, { mtimeMs: stat.mtimeMs, data: result.data });
    return structuredClone(result.data);
  }

  private async write(channel: string, data: PairingFile): Promise<void> {
    await fs.mkdir(this.credentialsDir, { recursive: true, mode: STATE_DIR_MODE });
    const file = this.fileOf(channel);
    await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
    const stat = await fs.stat(file);
    this.cache.set(channel, { mtimeMs: stat.mtimeMs, data: structuredClone(data) });
  }

  /** Reads, drops expired requests, lets `fn` change the file, writes when anything changed. Serialized per channel. */
  private mutate<T>(channel: string, fn: (data: PairingFile) => { result: T; changed: boolean }): Promise<T> {
    return this.queue.run(channel, async () => {
      const data = await this.read(channel);
      const before = data.requests.length;
      const cutoff = this.now() - PAIRING_TTL_MS;
      data.requests = data.requests.filter((r) => r.createdAt > cutoff);
      const { result, changed } = fn(data);
      if (changed || data.requests.length !== before) await this.write(channel, data);
      return result;
    });
  }

  private view(channel: string, r: StoredRequest): PairingRequest {
    return { ...r, channel, requestId: requestIdOf(channel, r), expiresAt: r.createdAt + PAIRING_TTL_MS };
  }

  /** Sender ids approved by pairing for this account. */
  async allowFrom(channel: string, accountId: string): Promise<string[]> {
    return (await this.read(channel)).allowFrom[accountId] ?? [];
  }

  /** Records a stranger's attempt: a new code, the code they already hold, or "limit" when three are pending. */
  upsertRequest(
    channel: string,
    accountId: string,
    sender: { id: string; label?: string | undefined; meta?: Record<string, string> | undefined },
  ): Promise<UpsertResult> {
    return this.mutate(channel, (data) => {
      const existing = data.requests.find((r) => r.senderId === sender.id && r.accountId === accountId);
      if (existing) {
        existing.lastSeenAt = this.now();
        return { result: { status: "pending", code: existing.code } as UpsertResult, changed: true };
      }
      if (data.requests.length >= MAX_PENDING_PER_CHANNEL) return { result: { status: "limit" }, changed: false };
      const code = randomPairingCode(new Set(data.requests.map((r) => r.code)));
      const now = this.now();
      data.requests.push({
        senderId: sender.id,
        accountId,
        code,
        createdAt: now,
        lastSeenAt: now,
        ...(sender.label ? { senderLabel: sender.label } : {}),
        ...(sender.meta ? { meta: sender.meta } : {}),
      });
      return { result: { status: "created", code }, changed: true };
    });
  }

  async list(channel: string, accountId?: string): Promise<PairingRequest[]> {
    return this.mutate(channel, (data) => ({
      result: data.requests
        .filter((r) => !accountId || r.accountId === accountId)
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((r) => this.view(channel, r)),
      changed: false,
    }));
  }

  /** Approves by code or requestId: the sender joins the stored allowFrom. Null when nothing pending matches. */
  approve(channel: string, match: RequestMatch): Promise<PairingRequest | null> {
    return this.resolve(channel, match, true);
  }

  /** Drops a pending request; the sender may ask again later. */
  reject(channel: string, match: RequestMatch): Promise<PairingRequest | null> {
    return this.resolve(channel, match, false);
  }

  /** Removes an approved sender. */
  revoke(channel: string, accountId: string, senderId: string): Promise<boolean> {
    return this.mutate(channel, (data) => {
      const list = data.allowFrom[accountId] ?? [];
      const next = list.filter((id) => id !== senderId);
      data.allowFrom[accountId] = next;
      return { result: next.length !== list.length, changed: next.length !== list.length };
    });
  }

  private resolve(channel: string, match: RequestMatch, approve: boolean): Promise<PairingRequest | null> {
    return this.mutate(channel, (data) => {
      const code = match.code?.trim().toUpperCase();
      const index = data.requests.findIndex(
        (r) =>
          (!match.accountId || r.accountId === match.accountId) &&
          ((code !== undefined && r.code === code) ||
            (match.requestId !== undefined && requestIdOf(channel, r) === match.requestId)),
      );
      if (index < 0) return { result: null, changed: false };
      const [entry] = data.requests.splice(index, 1);
      if (approve) {
        const list = data.allowFrom[entry!.accountId] ?? [];
        if (!list.includes(entry!.senderId)) list.push(entry!.senderId);
        data.allowFrom[entry!.accountId] = list;
      }
      return { result: this.view(channel, entry!), changed: true };
    });
  }
}

export interface RequestMatch {
  code?: string | undefined;
  requestId?: string | undefined;
  accountId?: string | undefined;
}
