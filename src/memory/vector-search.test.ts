import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type IndexDb, markVectorsChanged, openIndexDb } from "./index-db.js";
import { CodeIndex, nearestChunks, signCode } from "./vector-search.js";

let dir: string;
let handle: IndexDb;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pincer-vec-"));
  handle = openIndexDb(join(dir, "m.sqlite"), { tokenizer: "unicode61", vector: { enabled: true } });
});
afterEach(async () => {
  handle.db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic vectors with both signs, like real embeddings. */
function vec(seed: number, dims = 96): Float32Array {
  let s = seed * 2654435761;
  return Float32Array.from({ length: dims }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function store(n: number): void {
  const v = handle.db.prepare("INSERT INTO chunk_vectors(id, vector) VALUES (?, ?)");
  const c = handle.db.prepare("INSERT INTO chunk_codes(id, code) VALUES (?, ?)");
  handle.db.transaction(() => {
    for (let id = 1; id <= n; id++) {
      const x = vec(id);
      const code = signCode(x);
      v.run(id, Buffer.from(x.buffer));
      c.run(id, Buffer.from(code.buffer));
    }
    markVectorsChanged(handle.db);
  })();
}

describe("signCode", () => {
  it("packs one bit per dimension, set for positive values", () => {
    expect([...signCode([1, -1, 0, 2])]).toEqual([0b1001]);
    expect(signCode(new Array(33).fill(1))).toEqual(Uint32Array.from([0xffffffff, 1]));
  });
});

describe("nearestChunks", () => {
  it("scores small indexes exactly", () => {
    expect(handle.vectorUnavailable).toBeUndefined();
    store(50);
    const hits = nearestChunks(handle.db, vec(7), 3, () => CodeIndex.load(handle.db));
    expect(hits[0]).toMatchObject({ id: 7 });
    expect(hits[0]?.distance).toBeCloseTo(0, 5);
    expect(hits).toHaveLength(3);
  });

  it("finds exact and near matches through the sign-code prefilter on large indexes", () => {
    store(6_000);
    const codes = CodeIndex.load(handle.db);
    expect(codes.size).toBe(6_000);
    expect(nearestChunks(handle.db, vec(4321), 5, () => codes)[0]?.id).toBe(4321);
    const noisy = vec(1234).map((x, i) => x + (i % 7 === 0 ? 0.05 : -0.02));
    expect(nearestChunks(handle.db, noisy, 5, () => codes)[0]?.id).toBe(1234);
  });
});
