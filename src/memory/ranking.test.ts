import { describe, expect, it } from "vitest";
import {
  bm25ToScore,
  type Candidate,
  dateFromPath,
  decayFactor,
  ftsQuery,
  hasCjk,
  mmr,
  pruneCommonTerms,
  type RankOptions,
  rank,
} from "./ranking.js";

const DAY = 86_400_000;
const opts: RankOptions = {
  nowMs: Date.UTC(2025, 5, 30),
  maxResults: 3,
  minScore: 0.35,
  vectorWeight: 0.7,
  textWeight: 0.3,
  mmr: { enabled: false, lambda: 0.7 },
  temporalDecay: { enabled: true, halfLifeDays: 30 },
};
const cand = (id: number, extra: Partial<Candidate> = {}): Candidate => ({
  id,
  path: `memory/${id}.md`,
  source: "memory",
  startLine: 1,
  endLine: 2,
  text: `chunk ${id}`,
  ...extra,
});

describe("ftsQuery", () => {
  it.each([
    ["coffee preference", "unicode61", '"coffee" OR "preference"'],
    ['NEAR("a" b) OR -x', "unicode61", '"near" OR "a" OR "b" OR "or" OR "x"'],
    ['say "hi" AI', "trigram", '"say"'],
    ["   ", "unicode61", undefined],
    ["*** ???", "unicode61", undefined],
  ] as const)("%s (%s) → %s", (q, tok, expected) => {
    expect(ftsQuery(q, tok)).toBe(expected);
  });
});

describe("pruneCommonTerms", () => {
  it("drops terms in most chunks of a large index, keeps the rarest when all are common", () => {
    const terms = [
      { term: "the", docs: 9_000 },
      { term: "dentist", docs: 12 },
      { term: "new", docs: 0 },
    ];
    expect(pruneCommonTerms(terms, 10_000)).toEqual(["dentist", "new"]);
    expect(pruneCommonTerms(terms, 500)).toEqual(["the", "dentist", "new"]);
    expect(
      pruneCommonTerms(
        [
          { term: "a", docs: 9_000 },
          { term: "b", docs: 5_000 },
        ],
        10_000,
      ),
    ).toEqual(["b"]);
    expect(pruneCommonTerms([], 10_000)).toEqual([]);
  });
});

describe("scores and dates", () => {
  it("maps bm25 to 0..1, better ranks higher", () => {
    expect(bm25ToScore(0)).toBe(0);
    expect(bm25ToScore(-9)).toBeCloseTo(0.9);
    expect(bm25ToScore(-20)).toBeGreaterThan(bm25ToScore(-2));
  });

  it("reads daily note dates from file names only", () => {
    expect(dateFromPath("memory/2025-01-31.md")).toBe(Date.UTC(2025, 0, 31));
    expect(dateFromPath("memory/2025-01-31-trip.md")).toBe(Date.UTC(2025, 0, 31));
    expect(dateFromPath("MEMORY.md")).toBeUndefined();
    expect(dateFromPath("memory/2025-01-31/notes.txt")).toBeUndefined();
  });

  it("halves the weight every half-life and leaves evergreen files alone", () => {
    expect(decayFactor(undefined, opts.nowMs, 30)).toBe(1);
    expect(decayFactor(opts.nowMs - 30 * DAY, opts.nowMs, 30)).toBeCloseTo(0.5);
    expect(decayFactor(opts.nowMs + DAY, opts.nowMs, 30)).toBe(1);
  });

  it("detects CJK text", () => {
    expect(hasCjk("我喜欢咖啡")).toBe(true);
    expect(hasCjk("コーヒー")).toBe(true);
    expect(hasCjk("coffee")).toBe(false);
  });
});

describe("rank", () => {
  it("lexical only: keeps BM25 order and applies no minimum score", () => {
    const out = rank([cand(1, { textScore: 0.01 }), cand(2, { textScore: 0.02 })], [], opts);
    expect(out.map((r) => r.id)).toEqual([2, 1]);
  });

  it("hybrid: weights vector and text, merges by chunk, drops below minScore", () => {
    const lexical = [cand(1, { textScore: 0.9 }), cand(2, { textScore: 0.2 })];
    const vector = [cand(2, { vectorScore: 0.9 }), cand(3, { vectorScore: 0.3 })];
    const out = rank(lexical, vector, opts);
    expect(out.map((r) => r.id)).toEqual([2]);
    expect(out[0]?.score).toBeCloseTo(0.7 * 0.9 + 0.3 * 0.2);
  });

  it("decays old daily notes below evergreen facts of equal relevance", () => {
    const old = cand(1, { textScore: 0.5, dateMs: opts.nowMs - 90 * DAY });
    const evergreen = cand(2, { textScore: 0.5 });
    expect(rank([old, evergreen], [], opts).map((r) => r.id)).toEqual([2, 1]);
  });

  it("cuts on relevance before decay, so an old but relevant note is still found", () => {
    const old = cand(1, { vectorScore: 0.9, textScore: 0.9, dateMs: opts.nowMs - 365 * DAY });
    const out = rank([old], [old], opts);
    expect(out.map((r) => r.id)).toEqual([1]);
    expect(out[0]?.score).toBeLessThan(0.01);
  });
});

describe("mmr", () => {
  it("prefers a different chunk over a near duplicate of the first pick", () => {
    const items = [
      { id: 1, score: 1, text: "the user prefers oat milk in coffee" },
      { id: 2, score: 0.95, text: "the user prefers oat milk in coffee every day" },
      { id: 3, score: 0.8, text: "dentist appointment on friday" },
    ];
    expect(mmr(items, 0.7, 2).map((i) => i.id)).toEqual([1, 3]);
    expect(mmr(items, 1, 2).map((i) => i.id)).toEqual([1, 2]);
  });
});
