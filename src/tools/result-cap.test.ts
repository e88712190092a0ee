import { describe, expect, it } from "vitest";
import { capText, capToolOutput } from "./result-cap.js";

describe("result caps", () => {
  it("leaves short text alone", () => {
    expect(capText("hello", 10)).toEqual({ text: "hello", truncated: false });
  });

  it("keeps head and tail of long text and says how much was cut", () => {
    const text = `${"a".repeat(500)}${"m".repeat(10_000)}${"z".repeat(500)}`;
    const { text: out, truncated } = capText(text, 1000);
    expect(truncated).toBe(true);
    expect(out.startsWith("a".repeat(500))).toBe(true);
    expect(out.endsWith("z".repeat(300))).toBe(true);
    expect(out).toMatch(/10,000 of 11,000 characters truncated/);
    expect(out.length).toBeLessThan(1200);
  });

  it("caps across several text parts and keeps images", () => {
    const out = capToolOutput(
      {
        content: [
          { type: "text", text: "x".repeat(800) },
          { type: "image", data: "AAAA", mimeType: "image/png" },
          { type: "text", text: "y".repeat(800) },
        ],
      },
      1000,
    );
    expect(out.content[0]).toEqual({ type: "text", text: "x".repeat(800) });
    expect(out.content[1]?.type).toBe("image");
    const last = out.content[2];
    expect(last?.type === "text" && last.text).toMatch(/truncated/);
  });
});
