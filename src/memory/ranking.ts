/**
 * The pure half of memory search: turning a question into an FTS5 query, scores into 0..1, and candidate
 * lists into one ranking (hybrid weights, temporal decay for dated notes, MMR de-duplication).
 */

export interface Candidate {
  id: number;
  path: string;
  source: "memory" | "sessions";
  startLine: number;
  endLine: number;
  text: string;
  /** Epoch ms of a dated note (memory/YYYY-MM-DD.md) or transcript; undefined: evergreen, never decays. */
  dateMs?: number;
  textScore?: number;
  vectorScore?: number;
}

export interface Ranked extends Candidate {
  score: number;
}

const WORD = /[\p{L}\p{N}_]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Query words beyond this add little and make FTS5 slower. */
const MAX_QUERY_TERMS = 32;

export function queryTerms(query: string): string[] {
  const seen = new Set<string>();
  for (const m of query.toLowerCase().matchAll(WORD)) {
    seen.add(m[0]);
    if (seen.size >= MAX_QUERY_TERMS) break;
  }
  return [...seen];
}

export function hasCjk(text: string): boolean {
  return CJK.test(text);
}

/**
 * An FTS5 MATCH expression: every term quoted (so FTS5 operators in user text are plain words) and joined
 * with OR, leaving BM25 to rank chunks that match more and rarer terms first. With the trigram tokenizer,
 * terms shorter than three characters cannot match and are left to the substring fallback.
 */
export function ftsQuery(query: string, tokenizer: "unicode61" | "trigram"): string | undefined {
  return ftsMatch(ftsTerms(query, tokenizer));
}

export function ftsTerms(query: string, tokenizer: "unicode61" | "trigram"): string[] {
  return queryTerms(query).filter((t) => tokenizer === "unicode61" || [...t].length >= 3);
}

export function ftsMatch(terms: string[]): string | undefined {
  if (terms.length === 0) return undefined;
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(" OR ");
}

/** Below this many chunks every term is kept: pruning is for speed on large indexes, not for ranking. */
const PRUNE_MIN_CHUNKS = 1_000;
/** A term in more than this share of chunks is a stop word for this corpus: next to rarer terms BM25 gives it little weight. */
const COMMON_TERM_SHARE = 0.05;

/**
 * Drops the terms found in most chunks (its "the", "and", or whatever this corpus repeats): their BM25
 * weight is close to zero, yet each makes FTS5 score nearly every chunk. When every term is that common,
 * the rarest one is kept so the search still answers.
 */
export function pruneCommonTerms(terms: { term: string; docs: number }[], totalChunks: number): string[] {
  if (totalChunks < PRUNE_MIN_CHUNKS || terms.length === 0) return terms.map((t) => t.term);
  const kept = terms.filter((t) => t.docs / totalChunks <= COMMON_TERM_SHARE);
  if (kept.length > 0) return kept.map((t) => t.term);
  const rarest = terms.reduce((a, b) => (b.docs < a.docs ? b : a));
  return [rarest.term];
}

/** FTS5 bm25() is negative, more negative is better; map it to 0..1 without needing the other results. */
export function bm25ToScore(rank: number): number {
  const relevance = Math.max(0, -rank);
  return relevance / (relevance + 1);
}

const DATED = /(?:^|\/)(\d{4})-(\d{2})-(\d{2})[^/]*\.md$/;

/** The date of a daily note from its file name (memory/2025-01-31.md, memory/2025-01-31-trip.md). */
export function dateFromPath(path: string): number | undefined {
  const m = DATED.exec(path);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(ms) ? undefined : ms;
}

const DAY_MS = 86_400_000;

/** 1 for today's notes, ½ at one half-life, ¼ at two. Evergreen files (no date) keep 1. */
export function decayFactor(dateMs: number | undefined, nowMs: number, halfLifeDays: number): number {
  if (dateMs === undefined) return 1;
  const ageDays = Math.max(0, (nowMs - dateMs) / DAY_MS);
  return 0.5 ** (ageDays / halfLifeDays);
}

export interface RankOptions {
  nowMs: number;
  maxResults: number;
  /** Applied only when vectors took part: BM25 scores alone have no absolute scale to cut at. */
  minScore: number;
  vectorWeight: number;
  textWeight: number;
  mmr: { enabled: boolean; lambda: number };
  temporalDecay: { enabled: boolean; halfLifeDays: number };
}

/** Combines lexical and vector candidates (by chunk id) into the final list. */
export function rank(lexical: Candidate[], vector: Candidate[], opts: RankOptions): Ranked[] {
  const byId = new Map<number, Candidate>();
  for (const c of lexical) byId.set(c.id, { ...c });
  for (const c of vector) {
    const prev = byId.get(c.id);
    if (prev) prev.vectorScore = c.vectorScore;
    else byId.set(c.id, { ...c });
  }
  const hybrid = vector.length > 0;
  const weightSum = opts.vectorWeight + opts.textWeight || 1;
  // BM25 has no absolute scale (in a small corpus every score is near 0): alone, scores are shown relative
  // to the best match of this search, so 1 means "the best this search found".
  const bestText = hybrid ? 1 : Math.max(0, ...lexical.map((c) => c.textScore ?? 0)) || 1;
  const ranked: Ranked[] = [];
  for (const c of byId.values()) {
    const base = hybrid
      ? (opts.vectorWeight * (c.vectorScore ?? 0) + opts.textWeight * (c.textScore ?? 0)) / weightSum
      : (c.textScore ?? 0) / bestText;
    // The cut is on relevance; age only reorders. Otherwise a relevant note older than a few half-lives
    // could never be found again, which is what a memory is for.
    if (hybrid && base < opts.minScore) continue;
    const decay = opts.temporalDecay.enabled ? decayFactor(c.dateMs, opts.nowMs, opts.temporalDecay.halfLifeDays) : 1;
    ranked.push({ ...c, score: base * decay });
  }
  ranked.sort((a, b) => b.score - a.score || a.id - b.id);
  return opts.mmr.enabled ? mmr(ranked, opts.mmr.lambda, opts.maxResults) : ranked.slice(0, opts.maxResults);
}

/**
 * Maximal marginal relevance: picks, one at a time, the candidate with the best mix of its own score and
 * dissimilarity to what was already picked (word-set Jaccard), so near-duplicate chunks (a fact repeated in
 * several daily notes, overlapping chunks) do not crowd out the rest.
 */
export function mmr<T extends { score: number; text: string }>(items: T[], lambda: number, k: number): T[] {
  const pool = items.slice(0, Math.max(k * 4, k));
  const words = pool.map((i) => new Set(queryTerms(i.text.slice(0, 4_000))));
  const top = pool[0]?.score || 1;
  const picked: number[] = [];
  const left = new Set(pool.map((_, i) => i));
  while (picked.length < k && left.size > 0) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const i of left) {
      let maxSim = 0;
      for (const j of picked) maxSim = Math.max(maxSim, jaccard(words[i] as Set<string>, words[j] as Set<string>));
      const value = lambda * ((pool[i] as T).score / top) - (1 - lambda) * maxSim;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    picked.push(best);
    left.delete(best);
  }
  return picked.map((i) => pool[i] as T);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}
