import { appendFile, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PincerError } from "../errors.js";
import {
  archiveStamp,
  archiveTranscript,
  createTranscript,
  parseArchiveName,
  readTranscript,
  readTranscriptHeader,
  TranscriptAppender,
  transcriptPath,
} from "./transcript.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pincer-transcript-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const user = (text: string) => ({
  type: "message" as const,
  message: { role: "user" as const, content: text, timestamp: 1 },
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PincerError);
  expect((err as PincerError).code).toBe(code);
}

describe("transcript files", () => {
  it("writes an OpenClaw-shaped header and a parent-linked chain of entries", async () => {
    const path = transcriptPath(dir, "s1");
    await createTranscript(path, {
      id: "s1",
      cwd: "/w",
      sessionKey: "agent:main:main",
      timestamp: Date.UTC(2026, 0, 1),
    });
    const appender = new TranscriptAppender(path, { now: () => Date.UTC(2026, 0, 2) });
    const m = await appender.append(user("hi"));
    const c = await appender.append({ type: "compaction", summary: "S", firstKeptEntryId: m.id, tokensBefore: 900 });
    const x = await appender.append({ type: "custom", customType: "demo", data: { a: 1 } });

    const lines = (await readFile(path, "utf8")).split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe("");
    expect(JSON.parse(lines[0]!)).toEqual({
      type: "session",
      version: 3,
      id: "s1",
      timestamp: "2026-01-01T00:00:00.000Z",
      cwd: "/w",
      sessionKey: "agent:main:main",
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({
      type: "message",
      parentId: null,
      timestamp: "2026-01-02T00:00:00.000Z",
    });

    const read = await readTranscript(path);
    expect(read.skipped).toEqual([]);
    expect(read.header?.id).toBe("s1");
    expect(read.entries.map((e) => e.type)).toEqual(["message", "compaction", "custom"]);
    expect(read.entries.map((e) => e.parentId)).toEqual([null, m.id, c.id]);
    expect(read.entries[2]).toEqual(x);
    expect(await readTranscriptHeader(path)).toEqual(read.header);
  });

  it("refuses to overwrite an existing transcript and unusable session ids", async () => {
    const path = transcriptPath(dir, "s1");
    await createTranscript(path, { id: "s1" });
    await expectCode(createTranscript(path, { id: "s1" }), "CONFLICT");
    for (const bad of ["../x", "a/b", "", ".hidden", "x".repeat(200)]) {
      expect(() => transcriptPath(dir, bad)).toThrow(PincerError);
    }
  });

  it("rejects an invalid entry without writing anything", async () => {
    const path = transcriptPath(dir, "s1");
    await createTranscript(path, { id: "s1" });
    const before = await readFile(path, "utf8");
    const appender = new TranscriptAppender(path);
    const bogus = { type: "message", message: { role: "bogus", content: "x" } } as unknown as Parameters<
      TranscriptAppender["append"]
    >[0];
    await expectCode(appender.append(bogus), "INVALID_REQUEST");
    expect(await readFile(path, "utf8")).toBe(before);
  });

  it("skips a torn last line, then appends on a fresh line", async () => {
    const path = transcriptPath(dir, "s1");
    await createTranscript(path, { id: "s1" });
    const first = await new TranscriptAppender(path).append(user("one"));
    await appendFile(path, '{"type":"message","id":"torn","parentId":null,"timestamp":"2026-01-');

    const torn = await readTranscript(path);
    expect(torn.entries.map((e) => e.id)).toEqual([first.id]);
    expect(torn.skipped).toHaveLength(1);
    expect(torn.skipped[0]).toMatchObject({ line: 3, kind: "torn" });

    // A new appender (as after a restart) learns the parent and the missing newline from the tail.
    const next = await new TranscriptAppender(path).append(user("two"));
    expect(next.parentId).toBe(first.id);
    const after = await readTranscript(path);
    expect(after.entries.map((e) => e.id)).toEqual([first.id, next.id]);
    expect(after.skipped).toEqual([expect.objectContaining({ line: 3, kind: "garbage" })]);
    expect((await readFile(path, "utf8")).endsWith("\n")).toBe(true);
  });

  it("keeps a complete but unterminated last line and still starts the next one fresh", async () => {
    const path = transcriptPath(dir, "s1");
    await createTranscript(path, { id: "s1" });
    const line = JSON.stringify({
      type: "message",
      id: "abc",
      parentId: null,
      timestamp: "2026-01-01T00:00:00.000Z",
      message: { role: "user", content: "x", timestamp: 1 },
    });
    await appendFile(path, line);
    const next = await new TranscriptAppender(path).append(user("y"));
    expect(next.parentId).toBe("abc");
    const read = await readTranscript(path);
    expect(read.skipped).toEqual([]);
    expect(read.entries.map((e) => e.id)).toEqual(["abc", next.id]);
  });

  it("skips garbage, unknown and invalid lines anywhere and reads the rest", async () => {
    const path = transcriptPath(dir, "s1");
    await createTranscript(path, { id: "s1" });
    const a = await new TranscriptAppender(path).append(user("a"));
    await appendFile(
      path,
      `${[
        "\u0000\u0000garbage{",
        "[1,2]",
        '{"type":"model_change","id":"m","parentId":null,"timestamp":"t","provider":"p","modelId":"x"}',
        '{"type":"message","id":"bad","parentId":null,"timestamp":"t","message":{"role":"bogus"}}',
        '{"type":"session","id":"again","timestamp":"t"}',
        "",
        "   ",
      ].join("\n")}\n`,
    );
    const b = await new TranscriptAppender(path).append(user("b"));
    const read = await readTranscript(path);
    expect(read.entries.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(read.skipped.map((s) => [s.line, s.kind])).toEqual([
      [3, "garbage"],
      [4, "garbage"],
      [5, "unsupported"],
      [6, "invalid"],
      [7, "invalid"],
    ]);
    expect(read.skipped[2]!.reason).toContain("model_change");
  });

  it("reads an OpenClaw transcript line with fields Pincer does not know", async () => {
    const path = transcriptPath(dir, "oc");
    const lines = [
      {
        type: "session",
        version: 3,
        id: "oc",
        timestamp: "2026-02-01T10:00:00.000Z",
        cwd: "/home/u/.openclaw/workspace",
      },
      {
        type: "message",
        id: "a1b2c3d4",
        parentId: null,
        timestamp: "2026-02-01T10:00:01.000Z",
        message: { role: "user", content: [{ type: "text", text: "hello" }], timestamp: 1769940001000 },
      },
      {
        type: "message",
        id: "e5f6a7b8",
        parentId: "a1b2c3d4",
        timestamp: "2026-02-01T10:00:02.000Z",
        message: {
          role: "assistant",
          content: [{ type: "text", text: "hi!" }],
          api: "openai-completions",
          provider: "openai",
          model: "gpt-x",
          usage: { input: 10, output: 3, cacheRead: 0, cacheWrite: 0, totalTokens: 13, cost: { total: 0.001 } },
          stopReason: "stop",
          timestamp: 1769940002000,
        },
      },
    ];
    await writeFile(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    const read = await readTranscript(path);
    expect(read.skipped).toEqual([]);
    expect(read.header?.cwd).toBe("/home/u/.openclaw/workspace");
    expect(read.entries).toHaveLength(2);
    const reply = read.entries[1]!;
    expect(reply.type === "message" && reply.message.role === "assistant" && reply.message.usage?.totalTokens).toBe(13);
  });

  it("creates a missing transcript from the header factory, and reports NOT_FOUND without one", async () => {
    const path = transcriptPath(dir, "fresh");
    await expectCode(new TranscriptAppender(path).append(user("x")), "NOT_FOUND");
    await expectCode(readTranscript(path), "NOT_FOUND");
    const entry = await new TranscriptAppender(path, {
      header: () => ({ id: "fresh", sessionKey: "agent:main:main" }),
    }).append(user("x"));
    const read = await readTranscript(path);
    expect(read.header?.sessionKey).toBe("agent:main:main");
    expect(read.entries.map((e) => e.id)).toEqual([entry.id]);
  });

  it("archives with OpenClaw's names and parses them back", async () => {
    const path = transcriptPath(dir, "s1");
    await createTranscript(path, { id: "s1" });
    const now = Date.UTC(2026, 2, 4, 5, 6, 7, 890);
    const archived = await archiveTranscript(path, "reset", now);
    expect(archived).toBe(`${path}.reset.2026-03-04T05-06-07.890Z`);
    expect(archiveStamp(now)).toBe("2026-03-04T05-06-07.890Z");
    expect(parseArchiveName("s1.jsonl.reset.2026-03-04T05-06-07.890Z")).toEqual({
      sessionId: "s1",
      reason: "reset",
      at: now,
    });
    expect(parseArchiveName("s1.jsonl.deleted.2026-03-04T05-06-07.890Z.1")?.reason).toBe("deleted");
    expect(parseArchiveName("s1.jsonl")).toBeUndefined();
    expect(parseArchiveName("s1.jsonl.reset.yesterday")).toBeUndefined();
    expect(await archiveTranscript(path, "reset", now)).toBeUndefined();

    await createTranscript(path, { id: "s1" });
    expect(await archiveTranscript(path, "reset", now)).toBe(`${path}.reset.2026-03-04T05-06-07.890Z.1`);
  });
});

describe("TranscriptAppender descriptor", () => {
  const header = (id: string) => () => ({ id, sessionKey: "agent:main:main" });

  it("keeps its file open between lines and continues the chain after release()", async () => {
    const path = transcriptPath(dir, "held");
    const appender = new TranscriptAppender(path, { header: header("held") });
    const a = await appender.append(user("one"));
    expect(appender.holdsFile).toBe(true);
    expect(appender.idle).toBe(true);
    await appender.release();
    expect(appender.holdsFile).toBe(false);
    const b = await appender.append(user("two"));
    await appender.release();
    const { entries } = await readTranscript(path);
    expect(entries.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(b.parentId).toBe(a.id);
  });

  it("never appends to a transcript renamed underneath it: the next line starts a fresh file at the path", async () => {
    const path = transcriptPath(dir, "moved");
    const appender = new TranscriptAppender(path, { header: header("moved") });
    await appender.append(user("before"));
    await rename(path, `${path}.by-hand`);
    await expectCode(appender.append(user("lost?")), "NOT_FOUND");
    await appender.append(user("after"));
    await appender.release();
    const moved = await readTranscript(`${path}.by-hand`);
    expect(moved.entries).toHaveLength(1);
    const fresh = await readTranscript(path);
    expect(fresh.header?.id).toBe("moved");
    expect(fresh.entries.map((e) => (e as { message: { content: string } }).message.content)).toEqual(["after"]);
  });

  it("writes to a file replaced at its path, not to the old one", async () => {
    const path = transcriptPath(dir, "swap");
    await createTranscript(path, { id: "swap" });
    const appender = new TranscriptAppender(path);
    await appender.append(user("one"));
    await rm(path);
    await createTranscript(path, { id: "swap" });
    await appender.append(user("two"));
    await appender.release();
    const { entries } = await readTranscript(path);
    expect(entries).toHaveLength(1);
  });
});
