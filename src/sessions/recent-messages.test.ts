import { describe, expect, it } from "vitest";
import { RecentMessages } from "./recent-messages.js";
import type { CompactionEntry, MessageEntry } from "./transcript.js";

let n = 0;
const msg = (text: string): MessageEntry => ({
  type: "message",
  id: `e${++n}`,
  parentId: null,
  timestamp: "2026-01-10T12:00:00.000Z",
  message: { role: "user", content: text, timestamp: 0 },
});
const compaction = (): CompactionEntry => ({
  type: "compaction",
  id: `c${++n}`,
  parentId: null,
  timestamp: "2026-01-10T12:00:00.000Z",
  summary: "earlier talk",
  firstKeptEntryId: "e1",
  tokensBefore: 100,
});
const texts = (page: { messages: MessageEntry[] } | undefined) =>
  page?.messages.map((e) => (e.message as { content: string }).content);

describe("RecentMessages", () => {
  it("serves any page of a session started empty, extended by appends", () => {
    const recent = new RecentMessages();
    recent.started("k", "s1");
    expect(recent.page("k", "s1", 50)).toEqual({ messages: [] });
    for (const t of ["a", "b", "c"]) recent.appended("k", "s1", msg(t));
    expect(texts(recent.page("k", "s1", 2))).toEqual(["b", "c"]);
    expect(texts(recent.page("k", "s1", 2_000))).toEqual(["a", "b", "c"]);
    expect(recent.page("k", "s1", 0)).toEqual({ messages: [] });
    const c = compaction();
    recent.appended("k", "s1", c);
    recent.appended("k", "s1", { type: "custom", id: "x", parentId: null, timestamp: "", customType: "note" });
    expect(recent.page("k", "s1", 1)).toEqual({
      messages: [expect.objectContaining({ id: expect.any(String) })],
      compaction: c,
    });
  });

  it("knows nothing of other sessions, other session ids, or keys never read", () => {
    const recent = new RecentMessages();
    recent.started("k", "s1");
    expect(recent.page("k", "s2", 10)).toBeUndefined();
    expect(recent.page("other", "s1", 10)).toBeUndefined();
    recent.appended("other", "s1", msg("ignored"));
    expect(recent.page("other", "s1", 10)).toBeUndefined();
    // An append under another session id means the tail is stale: it is dropped.
    recent.appended("k", "s2", msg("new session"));
    expect(recent.page("k", "s1", 10)).toBeUndefined();
    expect(recent.size).toBe(0);
  });

  it("a read that filled its limit serves only pages up to what it holds", () => {
    const recent = new RecentMessages();
    recent.filled("k", "s1", 2, { messages: [msg("b"), msg("c")] });
    expect(texts(recent.page("k", "s1", 2))).toEqual(["b", "c"]);
    expect(recent.page("k", "s1", 3)).toBeUndefined();
    recent.filled("k", "s1", 5, { messages: [msg("b"), msg("c")] });
    expect(texts(recent.page("k", "s1", 5))).toEqual(["b", "c"]);
  });

  it("drops the oldest messages past the per-session count and size, then no longer claims to be complete", () => {
    const recent = new RecentMessages({ maxMessages: 3, maxSessionChars: 10_000 });
    recent.started("k", "s1");
    for (const t of ["a", "b", "c", "d"]) recent.appended("k", "s1", msg(t));
    expect(texts(recent.page("k", "s1", 3))).toEqual(["b", "c", "d"]);
    expect(recent.page("k", "s1", 4)).toBeUndefined();
    const small = new RecentMessages({ maxSessionChars: 400 });
    small.started("k", "s1");
    for (let i = 0; i < 10; i++) small.appended("k", "s1", msg("x".repeat(100)));
    const page = small.page("k", "s1", 1);
    expect(page?.messages).toHaveLength(1);
    expect(small.page("k", "s1", 10)).toBeUndefined();
  });

  it("evicts the least recently used sessions past the store-wide bounds", () => {
    const recent = new RecentMessages({ maxSessions: 2 });
    recent.started("a", "s");
    recent.started("b", "s");
    recent.page("a", "s", 1);
    recent.started("c", "s");
    expect(recent.page("b", "s", 1)).toBeUndefined();
    expect(recent.page("a", "s", 1)).toBeDefined();
    expect(recent.page("c", "s", 1)).toBeDefined();
    const bytes = new RecentMessages({ maxTotalChars: 1_000 });
    bytes.filled("a", "s", 10, { messages: [msg("x".repeat(600))] });
    bytes.filled("b", "s", 10, { messages: [msg("y".repeat(600))] });
    expect(bytes.page("a", "s", 1)).toBeUndefined();
    expect(texts(bytes.page("b", "s", 1))).toEqual(["y".repeat(600)]);
    bytes.forget("b");
    bytes.clear();
    expect(bytes.size).toBe(0);
  });
});
