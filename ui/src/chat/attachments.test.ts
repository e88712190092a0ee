import { describe, expect, it } from "vitest";
import { attachmentBlock, isTextFile } from "./attachments.js";

describe("attachments", () => {
  it.each([
    ["notes.md", "", true],
    ["data.json", "application/json", true],
    ["script", "text/x-shellscript", true],
    ["photo.png", "image/png", false],
    ["doc.pdf", "application/pdf", false],
  ])("%s (%s) is text: %s", (name, type, expected) => {
    expect(isTextFile(name, type)).toBe(expected);
  });

  it("fences a file with a fence longer than any inside it", () => {
    const block = attachmentBlock({ name: "a.md", size: 10, text: "x\n```js\ny\n```" });
    expect(block).toBe("Attached file **a.md**:\n````md\nx\n```js\ny\n```\n````");
  });
});
