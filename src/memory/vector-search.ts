import { getMeta } from "./index-db.js";
import type { SqliteDb } from "./sqlite.js";

/**
 * Nearest-neighbour search over the chunk vectors in two stages. A brute-force scan of float vectors costs
 * ~40 ms at 100k chunks × 384 dimensions (sqlite-vec's vec0 KNN, measured on the CI machine), over the
 * search budget; so every vector also has a sign code (one bit per dimension), all codes are held in memory
 * (48 bytes a chunk at 384 dimensions), and a query first ranks every chunk by Hamming distance (~4 ms at
 * 100k), then scores the best few hundred exactly with sqlite-vec's vec_distance_cosine. Small indexes are
 * scored exactly in full. The codes are a read-only copy of the chunk_codes table, reloaded whenever the
 * database says the vectors changed (meta.vectors_version), by this process or another.
 */

/** Up to this many vectors every one is scored exactly; the prefilter is for the large indexes. */
const EXACT_MAX = 4_000;
/** Candidates the sign codes pass on to exact scoring: recall against cost (~1 ms per 400). */
const RESCORE_CANDIDATES = 400;

/** One bit per dimension, 32 per word: the vector's sign pattern. */
export function signCode(vector: ArrayLike<number>): Uint32Array {
  const words = Math.ceil(vector.length / 32);
  const code = new Uint32Array(words);
  for (let i = 0; i < vector.length; i++) {
    if ((vector[i] as number) > 0) code[i >>> 5] = ((code[i >>> 5] as number) | (1 << (i & 31))) >>> 0;
  }
  return code;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export class CodeIndex {
  private constructor(
    readonly version: string,
    private readonly ids: Float64Array,
    private readonly codes: Uint32Array,
    private readonly words: number,
  ) {}

  get size(): number {
    return this.ids.length;
  }

  static load(db: SqliteDb): CodeIndex {
    const version = getMeta(db, "vectors_version") ?? "";
    const rows = db.prepare("SELECT id, code FROM chunk_codes").all() as { id: number; code: Buffer }[];
    const words = rows[0] ? rows[0].code.byteLength / 4 : 0;
    const ids = new Float64Array(rows.length);
    const codes = new Uint32Array(rows.length * words);
    rows.forEach((row, i) => {
      ids[i] = row.id;
      codes.set(new Uint32Array(row.code.buffer, row.code.byteOffset, words), i * words);
    });
    return new CodeIndex(version, ids, codes, words);
  }

  /** The ids of the `n` chunks whose sign codes are closest to `query`'s (ties broken by id order). */
  nearest(query: Uint32Array, n: number): number[] {
    const size = this.ids.length;
    const w = this.words;
    if (size === 0 || query.length !== w) return [];
    const distances = new Uint16Array(size);
    const histogram = new Uint32Array(w * 32 + 1);
    for (let i = 0; i < size; i++) {
      let d = 0;
      const at = i * w;
      for (let k = 0; k < w; k++) d += popcount(((this.codes[at + k] as number) ^ (query[k] as number)) >>> 0);
      distances[i] = d;
      histogram[d] = (histogram[d] as number) + 1;
    }
    // Counting selection: the distance below which the best n lie, then one pass to collect them.
    let cut = 0;
    let below = 0;
    while (cut < histogram.length - 1 && below + (histogram[cut] as number) < n) below += histogram[cut++] as number;
    const out: number[] = [];
    for (let i = 0; i < size && out.length < n; i++)
      if ((distances[i] as number) <= cut) out.push(this.ids[i] as number);
    return out;
  }
}

/**
 * The `k` chunks nearest to `vector` by cosine distance, as [id, distance]. `codes` supplies the in-memory
 * code index (loaded or reloaded by the caller when the vectors changed).
 */
export function nearestChunks(
  db: SqliteDb,
  vector: Float32Array,
  k: number,
  codes: () => CodeIndex,
): { id: number; distance: number }[] {
  const index = codes();
  if (index.size <= EXACT_MAX) {
    return db
      .prepare("SELECT id, vec_distance_cosine(vector, ?) AS distance FROM chunk_vectors ORDER BY distance LIMIT ?")
      .all(vector, k) as { id: number; distance: number }[];
  }
  const candidates = index.nearest(signCode(vector), Math.max(RESCORE_CANDIDATES, k * 4));
  if (candidates.length === 0) return [];
  return db
    .prepare(
      `SELECT id, vec_distance_cosine(vector, ?) AS distance FROM chunk_vectors WHERE id IN (${candidates.map(() => "?").join(",")})
       ORDER BY distance LIMIT ?`,
    )
    .all(vector, ...candidates, k) as { id: number; distance: number }[];
}
