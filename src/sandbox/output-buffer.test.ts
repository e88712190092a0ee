import { describe, expect, it } from "vitest";
import { OutputBuffer } from "./output-buffer.js";

describe("OutputBuffer", () => {
  it("keeps everything under the budget", () => {
    const b = new OutputBuffer(100);
    b.push("hello ");
    b.push("world");
    expect(b.text()).toBe("hello world");
    expect(b.truncated).toBe(false);
  });

  it("keeps head and tail of a huge stream in bounded memory", () => {
    const b = new OutputBuffer(20);
    b.push("START-----");
    for (let i = 0; i < 10_000; i++) b.push("x".repeat(100));
    b.push("-----END!!");
    expect(b.totalChars).toBe(1_000_020);
    expect(b.truncated).toBe(true);
    const t = b.text();
    expect(t.startsWith("START-----")).toBe(true);
    expect(t.endsWith("-----END!!")).toBe(true);
    expect(t).toMatch(/1,000,000 characters of output omitted/);
  });

  it("returns output since an offset for polling", () => {
    const b = new OutputBuffer(1000);
    b.push("abc");
    const first = b.since(0);
    expect(first).toEqual({ text: "abc", next: 3 });
    b.push("def");
    expect(b.since(first.next)).toEqual({ text: "def", next: 6 });
    expect(b.since(6)).toEqual({ text: "", next: 6 });
  });
});
