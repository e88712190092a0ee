import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown, safeHref } from "./markdown.js";

describe("parseMarkdown", () => {
  it("splits fenced code, headings, lists, quotes, rules and paragraphs", () => {
    const blocks = parseMarkdown(
      "# Title\n\nSome *text* here\nand more.\n\n```ts\nconst a = 1;\n```\n- one\n- two\n\n3. three\n4. four\n\n> quoted\n\n---",
    );
    expect(blocks.map((b) => b.t)).toEqual(["h", "p", "code", "list", "list", "quote", "hr"]);
    expect(blocks[2]).toEqual({ t: "code", lang: "ts", v: "const a = 1;" });
    expect(blocks[4]).toMatchObject({ t: "list", ordered: true, start: 3 });
  });

  it("runs an unclosed fence (a reply still streaming) to the end", () => {
    expect(parseMarkdown("```py\nprint(1)\nprint(2)")).toEqual([{ t: "code", lang: "py", v: "print(1)\nprint(2)" }]);
  });

  it("keeps HTML as text: nothing becomes markup", () => {
    const blocks = parseMarkdown('<script>alert(1)</script> <img src=x onerror="alert(2)">');
    expect(blocks).toEqual([
      { t: "p", c: [{ t: "text", v: '<script>alert(1)</script> <img src=x onerror="alert(2)">' }] },
    ]);
  });
});

describe("parseInline", () => {
  it.each([
    ["`a < b`", [{ t: "code", v: "a < b" }]],
    ["**bold**", [{ t: "strong", c: [{ t: "text", v: "bold" }] }]],
    [
      "*it* x",
      [
        { t: "em", c: [{ t: "text", v: "it" }] },
        { t: "text", v: " x" },
      ],
    ],
    ["snake_case_name", [{ t: "text", v: "snake_case_name" }]],
    ["a\nb", [{ t: "text", v: "a" }, { t: "br" }, { t: "text", v: "b" }]],
    ["[site](https://example.com/a)", [{ t: "link", href: "https://example.com/a", c: [{ t: "text", v: "site" }] }]],
    [
      "see https://example.com/x.",
      [
        { t: "text", v: "see " },
        { t: "link", href: "https://example.com/x", c: [{ t: "text", v: "https://example.com/x" }] },
        { t: "text", v: "." },
      ],
    ],
  ])("%j", (src, expected) => {
    expect(parseInline(src)).toEqual(expected);
  });

  it("leaves javascript: links as text", () => {
    expect(parseInline("[x](javascript:alert(1))").some((n) => n.t === "link")).toBe(false);
    expect(parseInline("[x](javascript:void)")).toEqual([{ t: "text", v: "[x](javascript:void)" }]);
  });
});

describe("safeHref", () => {
  it.each([
    ["https://a.b/c", "https://a.b/c"],
    ["mailto:me@x.y", "mailto:me@x.y"],
    ["javascript:alert(1)", undefined],
    ["data:text/html,<b>", undefined],
    ["not a url", undefined],
  ])("%s → %s", (raw, expected) => {
    expect(safeHref(raw)).toBe(expected);
  });
});
