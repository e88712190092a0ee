import { describe, expect, it } from "vitest";
import { chunkLines, chunkMarkdown } from "./chunking.js";

/** True when every fence opened in the chunk is closed in it. */
function balanced(chunk: string): boolean {
  let open: string | null = null;
  for (const line of chunk.split("\n")) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (!m) continue;
    if (open === null) open = m[1]!;
    else if (m[1]![0] === open[0] && m[1]!.length >= open.length && m[2]!.trim() === "") open = null;
  }
  return open === null;
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

describe("chunkMarkdown", () => {
  it.each([
    ["empty", "", 100, 0],
    ["blank", "  \n\n ", 100, 0],
    ["short", "hello", 100, 1],
    ["exactly the limit", "x".repeat(100), 100, 1],
    ["one over the limit", "x".repeat(101), 100, 2],
  ])("%s", (_name, text, limit, count) => {
    const chunks = chunkMarkdown(text, limit);
    expect(chunks).toHaveLength(count);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(limit);
  });

  it.each([
    ["Telegram", 4000],
    ["Discord", 2000],
    ["Slack", 8000],
  ])("keeps every chunk within %s's limit (%i) and loses no words", (_name, limit) => {
    const text = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}. ${words(40)}`).join("\n\n");
    const chunks = chunkMarkdown(text, limit);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(limit);
    expect(chunks.join(" ").split(/\s+/).filter(Boolean)).toEqual(text.split(/\s+/).filter(Boolean));
  });

  it("closes a code fence at a chunk boundary and reopens it with its language", () => {
    const code = Array.from({ length: 40 }, (_, i) => `const v${i} = ${i}; // line ${i}`).join("\n");
    const text = `Intro line.\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAfter the code.`;
    const chunks = chunkMarkdown(text, 300);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(300);
      expect(balanced(c), c).toBe(true);
    }
    const middle = chunks.slice(1, -1);
    for (const c of middle) expect(c.startsWith("```ts\n")).toBe(true);
    // Every code line survives exactly once.
    const all = chunks.join("\n");
    for (let i = 0; i < 40; i++) expect(all.split(`const v${i} = ${i};`).length - 1).toBe(1);
    expect(chunks.at(-1)).toContain("After the code.");
  });

  it("handles tilde fences and a fence left open by the model", () => {
    const text = `~~~\n${"line of code\n".repeat(30)}`;
    const chunks = chunkMarkdown(text, 120);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(120);
      expect(c.startsWith("~~~")).toBe(true);
    }
    for (const c of chunks.slice(0, -1)) expect(balanced(c)).toBe(true);
  });

  it("prefers a paragraph break over a line break in the second half of a chunk", () => {
    const text = `${"a".repeat(60)}\n\n${"b".repeat(30)}\n${"c".repeat(30)}`;
    const chunks = chunkMarkdown(text, 100);
    expect(chunks).toEqual(["a".repeat(60), `${"b".repeat(30)}\n${"c".repeat(30)}`]);
  });

  it("cuts a line longer than the limit at spaces, or hard when it has none", () => {
    const spaced = words(100);
    for (const c of chunkMarkdown(spaced, 80)) expect(c.length).toBeLessThanOrEqual(80);
    expect(chunkMarkdown(spaced, 80).join("")).toBe(spaced);
    const solid = "z".repeat(250);
    expect(chunkMarkdown(solid, 100)).toEqual(["z".repeat(100), "z".repeat(100), "z".repeat(50)]);
  });

  it("cuts an over-long line inside a fence and keeps each piece fenced", () => {
    const text = `\`\`\`\n${"q".repeat(500)}\n\`\`\``;
    const chunks = chunkMarkdown(text, 100);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(100);
      expect(balanced(c)).toBe(true);
    }
    expect(
      chunks
        .join("")
        .replace(/```\n?/g, "")
        .replace(/\n/g, ""),
    ).toBe("q".repeat(500));
  });

  it("never splits a surrogate pair", () => {
    const text = "😀".repeat(100);
    for (const c of chunkMarkdown(text, 33)) {
      expect(c.length).toBeLessThanOrEqual(33);
      expect(c).not.toMatch(/[\ud800-\udbff]$/);
      expect(c).not.toMatch(/^[\udc00-\udfff]/);
    }
  });

  it("newline mode sends each paragraph on its own", () => {
    expect(chunkMarkdown("one\n\ntwo\n\n```\na\n\nb\n```", 100, "newline")).toEqual(["one", "two", "```\na\n\nb\n```"]);
  });

  it("rejects a limit too small to hold a fence", () => {
    expect(() => chunkMarkdown("x", 5)).toThrow(RangeError);
  });

  it("normalizes CRLF", () => {
    expect(chunkMarkdown("a\r\nb", 100)).toEqual(["a\nb"]);
  });
});

describe("chunkLines", () => {
  it("emits one entry per non-blank line, each within the limit", () => {
    const lines = chunkLines(`first\n\n${words(100)}\nlast`, 350);
    expect(lines[0]).toBe("first");
    expect(lines.at(-1)).toBe("last");
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(350);
    expect(lines.length).toBeGreaterThan(3);
  });
});
