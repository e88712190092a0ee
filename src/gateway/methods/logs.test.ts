import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tailLogFile } from "./logs.js";

function logFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "pincer-logs-")), "g.log");
  writeFileSync(file, text);
  return file;
}

describe("tailLogFile", () => {
  it("returns whole lines and a cursor that continues without gaps or repeats", async () => {
    const file = logFile("a\nb\nc\npartial");
    const first = await tailLogFile(file, {});
    expect(first.lines).toEqual(["a", "b", "c"]);
    appendFileSync(file, " line\nd\n");
    const next = await tailLogFile(file, { cursor: first.cursor });
    expect(next.lines).toEqual(["partial line", "d"]);
    const idle = await tailLogFile(file, { cursor: next.cursor });
    expect(idle.lines).toEqual([]);
    expect(idle.cursor).toBe(next.cursor);
  });

  it("starts at a line boundary when only the last maxBytes are read", async () => {
    const file = logFile("first line\nsecond\nthird\n");
    const result = await tailLogFile(file, { maxBytes: 10 });
    expect(result.lines).toEqual(["third"]);
    expect(result.skippedBytes).toBeGreaterThan(0);
  });

  it("keeps the last `limit` lines and says it truncated", async () => {
    const file = logFile("1\n2\n3\n4\n");
    const result = await tailLogFile(file, { limit: 2 });
    expect(result.lines).toEqual(["3", "4"]);
    expect(result.truncated).toBe(true);
  });

  it("starts over when the file shrank under the reader", async () => {
    const file = logFile("x\n");
    const result = await tailLogFile(file, { cursor: 999 });
    expect(result.reset).toBe(true);
    expect(result.lines).toEqual(["x"]);
  });

  it("answers an empty result for a missing file", async () => {
    const result = await tailLogFile("/nonexistent/pincer.log", {});
    expect(result).toMatchObject({ lines: [], size: 0, cursor: 0 });
  });
});
