import { mkdtemp, readdir, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newSessionEntry, type SessionEntry } from "./session-entry.js";
import { SessionFiles } from "./session-files.js";
import { readTranscript } from "./transcript.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pincer-session-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const user = (text: string) => ({
  type: "message" as const,
  message: { role: "user" as const, content: text, timestamp: 1 },
});

/** Descriptors this process holds on files in the test folder. */
async function openInDir(): Promise<number> {
  let n = 0;
  for (const fd of await readdir("/proc/self/fd")) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
    if (target.startsWith(dir)) n += 1;
  }
  return n;
}

async function sessions(files: SessionFiles, count: number): Promise<SessionEntry[]> {
  const entries = Array.from({ length: count }, (_, i) => newSessionEntry(`s${i}`, 1_000));
  for (const [i, e] of entries.entries()) await files.start(`agent:main:k${i}`, e, 1_000);
  return entries;
}

describe("SessionFiles", () => {
  it.skipIf(process.platform !== "linux")("holds at most maxOpenFiles transcripts open", async () => {
    const files = new SessionFiles(dir, { now: () => 2_000, maxOpenFiles: 2 });
    const entries = await sessions(files, 5);
    for (let round = 0; round < 3; round++) {
      for (const [i, e] of entries.entries()) await files.append(`agent:main:k${i}`, e, user(`r${round}`));
      expect(files.openFiles).toBeLessThanOrEqual(2);
    }
    // Closing is asynchronous; give the released descriptors a moment to go.
    await new Promise((r) => setTimeout(r, 20));
    expect(await openInDir()).toBeLessThanOrEqual(2);
    for (const e of entries) {
      const { entries: lines } = await readTranscript(files.pathOf(e));
      expect(lines).toHaveLength(3);
      expect(lines[2]?.parentId).toBe(lines[1]?.id);
      expect(lines[1]?.parentId).toBe(lines[0]?.id);
    }
    await files.clear();
    expect(files.openFiles).toBe(0);
    expect(await openInDir()).toBe(0);
  });

  it("drops the least recently written appenders past maxAppenders and keeps the chain from the file", async () => {
    const files = new SessionFiles(dir, { now: () => 2_000, maxAppenders: 1 });
    const [a, b] = await sessions(files, 2);
    const a1 = await files.append("agent:main:k0", a!, user("a1"));
    await files.append("agent:main:k1", b!, user("b1"));
    const a2 = await files.append("agent:main:k0", a!, user("a2"));
    expect(a2.parentId).toBe(a1.id);
    await files.clear();
  });

  it("closes a session's transcript before archiving it, so later lines go to a fresh file", async () => {
    const files = new SessionFiles(dir, { now: () => 2_000 });
    const [a] = await sessions(files, 1);
    await files.append("agent:main:k0", a!, user("one"));
    const archived = await files.archive(a!, "reset", 3_000);
    expect(archived).toBeDefined();
    expect(files.openFiles).toBe(0);
    await files.append("agent:main:k0", a!, user("two"));
    expect((await readTranscript(archived as string)).entries).toHaveLength(1);
    expect((await readTranscript(files.pathOf(a!))).entries).toHaveLength(1);
    await files.clear();
  });
});
