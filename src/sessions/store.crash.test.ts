import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionStore } from "./store.js";
import { readTranscript } from "./transcript.js";

const SCRIPT = fileURLToPath(new URL("./testdata/append-loop.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const SESSIONS = 5;
const APPENDS_BEFORE_KILL = 600;

let agentsDir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  agentsDir = await mkdtemp(join(tmpdir(), "pincer-crash-"));
});
afterAll(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  await rm(agentsDir, { recursive: true, force: true });
});

/** Runs the appender until it reports `count` appends, then SIGKILLs it; returns the last count seen. */
async function runAndKill(count: number): Promise<number> {
  child = spawn("npx", ["tsx", SCRIPT, agentsDir, String(SESSIONS)], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  let pid: number | undefined;
  let seen = 0;
  for await (const line of lines) {
    const [word, value] = line.split(" ");
    if (word === "pid") pid = Number(value);
    if (word === "appended") seen = Number(value);
    if (pid !== undefined && seen >= count) break;
  }
  if (pid === undefined) throw new Error(`appender did not start: ${stderr}`);
  // The appender itself, not the npx/tsx wrappers around it: kill -9 gives it no chance to clean up.
  process.kill(pid, "SIGKILL");
  await new Promise<void>((resolve) => {
    if (child!.exitCode !== null || child!.signalCode !== null) resolve();
    else child!.once("exit", () => resolve());
  });
  return seen;
}

describe("SIGKILL while appending", () => {
  it("loses no complete line, leaves no lock, and the store opens and appends", async () => {
    const reported = await runAndKill(APPENDS_BEFORE_KILL);
    const dir = join(agentsDir, "main", "sessions");

    // Every line but a possibly torn last one per transcript reads back.
    let messages = 0;
    for (const name of (await readdir(dir)).filter((n) => n.endsWith(".jsonl"))) {
      const { header, entries, skipped } = await readTranscript(join(dir, name));
      expect(header?.sessionKey).toMatch(/^agent:main:test:direct:peer\d$/);
      expect(skipped.filter((s) => s.kind !== "torn")).toEqual([]);
      expect(skipped.length).toBeLessThanOrEqual(1);
      messages += entries.length;
    }
    expect(messages).toBeGreaterThanOrEqual(reported);

    const store = await SessionStore.open(agentsDir, "main");
    try {
      // Nothing but the index and transcripts remains: no lock file, no temp file of a torn index write.
      expect((await readdir(dir)).filter((n) => n !== "sessions.json" && !n.endsWith(".jsonl"))).toEqual([]);
      expect(store.list().total).toBe(SESSIONS);
      let fromHistory = 0;
      for (const { key } of store.list().items)
        fromHistory += (await store.history(key, { limit: 100_000 })).messages.length;
      expect(fromHistory).toBe(messages);

      const key = "agent:main:test:direct:peer0";
      const before = (await store.history(key, { limit: 1 })).messages[0]!;
      const added = await store.append(key, {
        type: "message",
        message: { role: "user", content: "after", timestamp: 1 },
      });
      expect(added.parentId).toBe(before.id);
      const tail = await store.history(key, { limit: 2 });
      expect(tail.messages.map((m) => m.id)).toEqual([before.id, added.id]);
      expect(tail.skipped.filter((s) => s.kind !== "garbage")).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
