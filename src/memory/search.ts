import type { EmbeddingProvider } from "./embeddings/provider.js";
import { getMeta } from "./index-db.js";
import {
  bm25ToScore,
  type Candidate,
  ftsMatch,
  ftsTerms,
  hasCjk,
  pruneCommonTerms,
  queryTerms,
  type Ranked,
  type RankOptions,
  rank,
} from "./ranking.js";
import type { SqliteDb } from "./sqlite.js";
import { type CodeIndex, nearestChunks } from "./vector-search.js";

/**
 * Memory search over the index: BM25 over FTS5, a substring pass for what the tokenizer cannot split (CJK
 * runs with unicode61, short words with trigram), and a nearest-neighbour pass over the chunk vectors
 * (vector-search.ts) when an embedding provider is configured. A failing provider degrades to lexical results with a note.
 */

export interface SearchOptions extends RankOptions {
  tokenizer: "unicode61" | "trigram";
  hybridEnabled: boolean;
  candidateMultiplier: number;
  sources?: ("memory" | "sessions")[];
  /** Chunks in the index, for dropping terms that occur in most of them. */
  totalChunks?: number;
}

export interface SearchOutcome {
  results: Ranked[];
  mode: "lexical" | "hybrid";
  /** Why the search was lexical although a provider is configured, or other caveats. */
  notes: string[];
}

interface ChunkRow {
  id: number;
  path: string;
  source: "memory" | "sessions";
  start_line: number;
  end_line: number;
  text: string;
  date_ms: number | null;
}

function toCandidate(row: ChunkRow): Candidate {
  return {
    id: row.id,
    path: row.path,
    source: row.source,
    startLine: row.start_line,
    endLine: row.end_line,
    text: row.text,
    ...(row.date_ms !== null ? { dateMs: row.date_ms } : {}),
  };
}

const CHUNK_COLUMNS = "c.id, c.path, c.source, c.start_line, c.end_line, c.text, c.date_ms";

export function lexicalCandidates(db: SqliteDb, query: string, opts: SearchOptions, limit: number): Candidate[] {
  const out = new Map<number, Candidate>();
  const terms = ftsTerms(query, opts.tokenizer);
  const docsOf = db.prepare("SELECT doc FROM chunks_vocab WHERE term = ?");
  const counted = terms.map((term) => ({ term, docs: (docsOf.get(term) as { doc: number } | undefined)?.doc ?? 0 }));
  const match = ftsMatch(pruneCommonTerms(counted, opts.totalChunks ?? 0));
  if (match) {
    // Rank inside FTS5 first (its ORDER BY rank LIMIT path), then read only the winning chunks.
    const rows = db
      .prepare(
        `SELECT ${CHUNK_COLUMNS}, top.rank FROM (
           SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?
         ) AS top JOIN chunks c ON c.id = top.rowid ORDER BY top.rank`,
      )
      .all(match, limit) as (ChunkRow & { rank: number })[];
    for (const r of rows) out.set(r.id, { ...toCandidate(r), textScore: bm25ToScore(r.rank) });
  }
  const substrings = substringTerms(query, opts.tokenizer);
  if (substrings.length > 0) {
    const where = substrings.map(() => "c.text LIKE ? ESCAPE '\\'").join(" OR ");
    const rows = db
      .prepare(`SELECT ${CHUNK_COLUMNS} FROM chunks c WHERE ${where} LIMIT ?`)
      .all(...substrings.map((t) => `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`), limit) as ChunkRow[];
    for (const r of rows) {
      const hits = substrings.filter((t) => r.text.includes(t)).length;
      // Substring hits have no BM25; the share of matched terms stands in, below a strong BM25 match.
      const score = 0.9 * (hits / substrings.length);
      const prev = out.get(r.id);
      if (!prev || (prev.textScore ?? 0) < score) out.set(r.id, { ...toCandidate(r), textScore: score });
    }
  }
  return [...out.values()].filter((c) => !opts.sources || opts.sources.includes(c.source));
}

/**
 * Terms the FTS tokenizer cannot find: with unicode61 a CJK run is one token, so it is split into
 * overlapping pairs of characters (the usual bigram approach); with trigram, words shorter than three.
 */
export function substringTerms(query: string, tokenizer: "unicode61" | "trigram"): string[] {
  const terms = new Set<string>();
  for (const term of queryTerms(query)) {
    const chars = [...term];
    if (tokenizer === "trigram") {
      if (chars.length < 3) terms.add(term);
    } else if (hasCjk(term)) {
      if (chars.length <= 2) terms.add(term);
      else for (let i = 0; i + 1 < chars.length; i++) terms.add(chars.slice(i, i + 2).join(""));
    }
  }
  return [...terms].slice(0, 16);
}

export async function vectorCandidates(
  db: SqliteDb,
  provider: EmbeddingProvider,
  query: string,
  limit: number,
  opts: Pick<SearchOptions, "sources">,
  codes: () => CodeIndex,
  signal?: AbortSignal,
): Promise<Candidate[]> {
  if (getMeta(db, "embedding_key") !== provider.key) return [];
  const [vector] = await provider.embed([query], "query", signal);
  const hits = nearestChunks(db, Float32Array.from(vector as number[]), limit, codes);
  if (hits.length === 0) return [];
  const rows = db
    .prepare(`SELECT ${CHUNK_COLUMNS} FROM chunks c WHERE c.id IN (${hits.map(() => "?").join(",")})`)
    .all(...hits.map((h) => h.id)) as ChunkRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: Candidate[] = [];
  for (const h of hits) {
    const row = byId.get(h.id);
    // Cosine distance is 0 (same direction) to 2 (opposite); similarity below zero counts as unrelated.
    if (row) out.push({ ...toCandidate(row), vectorScore: Math.max(0, Math.min(1, 1 - h.distance)) });
  }
  return out.filter((c) => !opts.sources || opts.sources.includes(c.source));
}

export async function searchIndex(
  db: SqliteDb,
  query: string,
  opts: SearchOptions,
  embed: {
    provider?: EmbeddingProvider;
    unavailable?: string;
    indexError?: string;
    codes: () => CodeIndex;
    /** Chunks without a vector yet. */
    pending: () => number;
  },
  signal?: AbortSignal,
): Promise<SearchOutcome> {
  const limit = opts.maxResults * opts.candidateMultiplier;
  const notes: string[] = [];
  const lexical = lexicalCandidates(db, query, opts, limit);
  let vector: Candidate[] = [];
  if (embed.unavailable) notes.push(`semantic search is off: ${embed.unavailable}; showing lexical matches`);
  else if (embed.provider && opts.hybridEnabled) {
    try {
      vector = await vectorCandidates(db, embed.provider, query, limit, opts, embed.codes, signal);
      const n = embed.pending();
      if (n > 0 && embed.indexError)
        notes.push(
          `semantic search is unavailable for ${n} chunks (${embed.indexError}); they are found by words only`,
        );
      else if (n > 0) notes.push(`${n} chunks are not embedded yet; they are found by words only`);
    } catch (err) {
      notes.push(`semantic search failed (${(err as Error).message}); showing lexical matches`);
    }
  }
  return { results: rank(lexical, vector, opts), mode: vector.length > 0 ? "hybrid" : "lexical", notes };
}
