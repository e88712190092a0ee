import type { CompactionEntry, MessageEntry, TranscriptEntry } from "./transcript.js";

/**
 * The newest message entries of recently used sessions, kept in memory so a turn's prompt (up to 2,000
 * messages) is not read back from its transcript on every turn. The transcript stays the source of truth:
 * a tail is only ever a suffix of it, filled from a read of the file or started empty with a new
 * transcript, and then extended by the store's own appends. Whatever else changes a session's file
 * (rollover, archive, removal, index rebuild) drops the tail. Entries are shared with callers, who treat
 * them as read-only (as they did the freshly parsed ones).
 */

/** Enough for the largest read a turn makes (session-turn's CONTEXT_READ_LIMIT). */
export const RECENT_MAX_MESSAGES = 2_000;
/** Per session, in UTF-16 code units of the entries' JSON (≈ bytes for most text). */
export const RECENT_MAX_SESSION_CHARS = 2 * 1024 * 1024;
/** Over all sessions of one store; the least recently used tails go first. */
export const RECENT_MAX_TOTAL_CHARS = 16 * 1024 * 1024;
/** Sessions with a tail; a busy gateway has far fewer sessions mid-conversation at once. */
export const RECENT_MAX_SESSIONS = 128;

interface Tail {
  sessionId: string;
  messages: MessageEntry[];
  /** Size of each message entry, parallel to `messages`. */
  sizes: number[];
  chars: number;
  /** True when `messages` holds every message of the transcript (not only its newest ones). */
  complete: boolean;
  compaction?: CompactionEntry;
}

export interface RecentPage {
  messages: MessageEntry[];
  compaction?: CompactionEntry;
}

export interface RecentLimits {
  maxMessages: number;
  maxSessionChars: number;
  maxTotalChars: number;
  maxSessions: number;
}

const DEFAULT_LIMITS: RecentLimits = {
  maxMessages: RECENT_MAX_MESSAGES,
  maxSessionChars: RECENT_MAX_SESSION_CHARS,
  maxTotalChars: RECENT_MAX_TOTAL_CHARS,
  maxSessions: RECENT_MAX_SESSIONS,
};

const sizeOf = (entry: MessageEntry) => JSON.stringify(entry).length;

export class RecentMessages {
  /** Least recently used first (re-inserted on every use). */
  private readonly tails = new Map<string, Tail>();
  private totalChars = 0;
  private readonly limits: RecentLimits;

  constructor(limits: Partial<RecentLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** A new transcript has no messages yet: its tail is complete from the start. */
  started(key: string, sessionId: string): void {
    this.put(key, { sessionId, messages: [], sizes: [], chars: 0, complete: true });
  }

  /** A read of the newest `limit` messages (no cursor, no skipped lines) of the session's transcript. */
  filled(key: string, sessionId: string, limit: number, page: RecentPage): void {
    const sizes = page.messages.map(sizeOf);
    const tail: Tail = {
      sessionId,
      messages: page.messages.slice(),
      sizes,
      chars: sizes.reduce((a, b) => a + b, 0),
      complete: page.messages.length < limit,
    };
    if (page.compaction) tail.compaction = page.compaction;
    this.put(key, tail);
  }

  /** An entry the store has just written to the session's transcript. */
  appended(key: string, sessionId: string, entry: TranscriptEntry): void {
    const tail = this.tails.get(key);
    if (!tail) return;
    if (tail.sessionId !== sessionId) {
      this.forget(key);
      return;
    }
    if (entry.type === "compaction") tail.compaction = entry;
    else if (entry.type === "message") {
      const size = sizeOf(entry);
      tail.messages.push(entry);
      tail.sizes.push(size);
      tail.chars += size;
      this.totalChars += size - this.trim(tail);
    }
    this.touch(key, tail);
    this.evict(key);
  }

  /** The newest `limit` messages and the newest compaction, or undefined when the tail cannot tell. */
  page(key: string, sessionId: string, limit: number): RecentPage | undefined {
    const tail = this.tails.get(key);
    if (!tail || tail.sessionId !== sessionId) return undefined;
    if (!tail.complete && tail.messages.length < limit) return undefined;
    this.touch(key, tail);
    const n = Math.max(0, Math.min(limit, tail.messages.length));
    const page: RecentPage = { messages: n === 0 ? [] : tail.messages.slice(tail.messages.length - n) };
    if (tail.compaction) page.compaction = tail.compaction;
    return page;
  }

  forget(key: string): void {
    const tail = this.tails.get(key);
    if (!tail) return;
    this.tails.delete(key);
    this.totalChars -= tail.chars;
  }

  clear(): void {
    this.tails.clear();
    this.totalChars = 0;
  }

  get size(): number {
    return this.tails.size;
  }

  private put(key: string, tail: Tail): void {
    this.forget(key);
    this.trim(tail);
    this.tails.set(key, tail);
    this.totalChars += tail.chars;
    this.evict(key);
  }

  private touch(key: string, tail: Tail): void {
    this.tails.delete(key);
    this.tails.set(key, tail);
  }

  /**
   * Drops a tail's oldest messages beyond the per-session bounds (what is left is no longer complete);
   * returns the size dropped.
   */
  private trim(tail: Tail): number {
    let drop = 0;
    let dropped = 0;
    while (
      drop < tail.messages.length &&
      (tail.messages.length - drop > this.limits.maxMessages || tail.chars - dropped > this.limits.maxSessionChars)
    ) {
      dropped += tail.sizes[drop] as number;
      drop += 1;
    }
    if (drop === 0) return 0;
    tail.messages.splice(0, drop);
    tail.sizes.splice(0, drop);
    tail.chars -= dropped;
    tail.complete = false;
    return dropped;
  }

  /** Least recently used tails out until the store-wide bounds hold; `keep` (just used) stays. */
  private evict(keep: string): void {
    for (const key of this.tails.keys()) {
      if (this.totalChars <= this.limits.maxTotalChars && this.tails.size <= this.limits.maxSessions) return;
      if (key !== keep) this.forget(key);
    }
  }
}
