import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeEmbeddings, startFakeEmbeddings } from "../fixtures/fake-embeddings/index.js";
import { PINCER_BIN } from "./harness.js";

/** `pincer setup` and `pincer memory search|status|reindex` as a user runs them (built CLI, temp state). */
const run = promisify(execFile);
let stateDir: string;
let fake: FakeEmbeddings;

async function pincer(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [PINCER_BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: stateDir, PINCER_STATE_DIR: stateDir, ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "pincer-e2e-memcli-"));
  fake = await startFakeEmbeddings({ dims: 32 });
});
afterAll(async () => {
  await fake.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("pincer setup", () => {
  it("creates the workspace templates once and keeps edits on a second run", async () => {
    const first = await pincer(["setup", "--json"]);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result.workspaces[0].created.sort()).toEqual([
      "AGENTS.md",
      "HEARTBEAT.md",
      "IDENTITY.md",
      "MEMORY.md",
      "SOUL.md",
      "TOOLS.md",
      "USER.md",
    ]);
    const ws = result.workspaces[0].dir;
    writeFileSync(join(ws, "MEMORY.md"), "# Memory\n\n- Allergic to peanuts.\n- Sister Maria lives in Porto.\n");
    writeFileSync(join(ws, "memory", "2025-02-10.md"), "Renewed the passport at the town hall.\n");
    const second = JSON.parse((await pincer(["setup", "--json"])).stdout);
    expect(second.workspaces[0].created).toEqual([]);
    expect(readFileSync(join(ws, "MEMORY.md"), "utf8")).toContain("peanuts");
  });
});

describe("pincer memory", () => {
  it("searches lexically with no API key, shows status, and reindexes", async () => {
    const search = await pincer(["memory", "search", "passport", "renewal", "--json"]);
    expect(search.code).toBe(0);
    const out = JSON.parse(search.stdout);
    expect(out).toMatchObject({ mode: "lexical" });
    expect(out.results[0]).toMatchObject({ path: "memory/2025-02-10.md", startLine: 1 });
    const text = await pincer(["memory", "search", "Maria"]);
    expect(text.stdout).toMatch(/^MEMORY\.md:1-4 {2}\(1\.000\)/);
    const status = JSON.parse((await pincer(["memory", "status", "--json"])).stdout);
    expect(status).toMatchObject({ agentId: "main", files: 2, mode: "lexical", provider: "none" });
    expect(status.dbFile).toBe(join(stateDir, "agents", "main", "memory.sqlite"));
    const reindex = await pincer(["memory", "reindex", "--force"]);
    expect(reindex.stdout).toMatch(/2 files, 2 indexed, 0 removed/);
  });

  it("rebuilds a corrupt index on the next command", async () => {
    const db = join(stateDir, "agents", "main", "memory.sqlite");
    writeFileSync(db, Buffer.alloc(8192, 7));
    rmSync(`${db}-wal`, { force: true });
    const search = await pincer(["memory", "search", "peanuts", "--json"]);
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).results[0].path).toBe("MEMORY.md");
  });

  it("uses an embedding provider from the config, and falls back to lexical with a note when it is down", async () => {
    writeFileSync(
      join(stateDir, "pincer.json"),
      JSON.stringify({ agents: { defaults: { memorySearch: { provider: "ollama", remote: { baseUrl: fake.url } } } } }),
    );
    const hybrid = JSON.parse((await pincer(["memory", "search", "sibling", "--json"])).stdout);
    expect(hybrid.mode).toBe("hybrid");
    const status = JSON.parse((await pincer(["memory", "status", "--json"])).stdout);
    expect(status).toMatchObject({ mode: "hybrid", provider: "ollama", embedded: 2 });
    fake.down(true);
    try {
      const down = await pincer(["memory", "search", "passport"]);
      expect(down.code).toBe(0);
      expect(down.stdout).toMatch(/memory\/2025-02-10\.md/);
      expect(down.stdout).toMatch(/note: semantic search failed .*HTTP 503/);
    } finally {
      fake.down(false);
    }
  });

  it("reports bad input as an error with exit code 1", async () => {
    const bad = await pincer(["memory", "search", "x", "--agent", "ghost"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown agent "ghost"/);
    const badMax = await pincer(["memory", "search", "x", "--max", "0"]);
    expect(badMax.code).toBe(1);
    expect(badMax.stderr).toMatch(/--max must be an integer/);
  });
});
