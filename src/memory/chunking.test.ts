import { describe, expect, it } from "vitest";
import { chunkText } from "./chunking.js";

describe("chunkText", () => {
  it("keeps a short file in one chunk with its line range", () => {
    expect(chunkText("# Title\n\nhello\n", { tokens: 400, overlap: 80 })).toEqual([
      { startLine: 1, endLine: 3, text: "# Title\n\nhello" },
    ]);
  });

  it("splits on lines with overlap, covering every line", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1} ${"x".repeat(30)}`);
    const chunks = chunkText(lines.join("\n"), { tokens: 100, overlap: 20 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(400);
    expect(chunks[0]?.startLine).toBe(1);
    expect(chunks.at(-1)?.endLine).toBe(100);
    for (let i = 1; i < chunks.length; i++) {
      // Overlap: each chunk starts at or before the line after the previous chunk, and moves forward.
      expect(chunks[i]!.startLine).toBeLessThanOrEqual(chunks[i - 1]!.endLine);
      expect(chunks[i]!.startLine).toBeGreaterThan(chunks[i - 1]!.startLine);
    }
  });

  it("cuts a line longer than a chunk into pieces with the same line number", () => {
    const chunks = chunkText(`a\n${"y".repeat(1000)}\nb`, { tokens: 100, overlap: 0 });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.some((c) => c.startLine === 2 && c.endLine === 2)).toBe(true);
    expect(chunks.map((c) => c.text).join("")).toContain("y".repeat(400));
  });

  it("skips blank stretches and empty input", () => {
    expect(chunkText("", { tokens: 50, overlap: 10 })).toEqual([]);
    expect(chunkText("\n\n\n", { tokens: 50, overlap: 10 })).toEqual([]);
  });
});
