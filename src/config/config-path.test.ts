import { describe, expect, it } from "vitest";
import { formatPath, getAtPath, parsePath, setAtPath, unsetAtPath } from "./config-path.js";

describe("parsePath / formatPath", () => {
  it.each([
    ["gateway.port", ["gateway", "port"]],
    ["agents.list[0].id", ["agents", "list", 0, "id"]],
    ['models.providers["my.host"].apiKey', ["models", "providers", "my.host", "apiKey"]],
    ["$schema", ["$schema"]],
  ])("%s", (text, segments) => {
    expect(parsePath(text)).toEqual(segments);
    expect(formatPath(segments)).toBe(text);
  });

  it.each([
    ["", "empty path"],
    ["a..b", "empty segment"],
    ["a.", "ends with a dot"],
    [".a", "empty segment"],
    ["a[x]", "neither an index nor a quoted key"],
    ["a[0", 'unclosed "["'],
    ["a[0]b", 'expected "." or "["'],
  ])("rejects %j (%s)", (text, why) => {
    expect(() => parsePath(text)).toThrow(why);
  });
});

describe("get/set/unset", () => {
  it("sets through missing objects and arrays, then unsets", () => {
    const doc: Record<string, unknown> = {};
    setAtPath(doc, ["a", "b", "c"], 1);
    setAtPath(doc, ["list", 0, "id"], "x");
    expect(doc).toEqual({ a: { b: { c: 1 } }, list: [{ id: "x" }] });
    expect(getAtPath(doc, ["a", "b", "c"])).toEqual({ found: true, value: 1 });
    expect(getAtPath(doc, ["a", "nope"]).found).toBe(false);
    expect(getAtPath(doc, ["a", "constructor"]).found).toBe(false);
    expect(unsetAtPath(doc, ["a", "b", "c"])).toBe(true);
    expect(unsetAtPath(doc, ["a", "b", "c"])).toBe(false);
    expect(unsetAtPath(doc, ["list", 0])).toBe(true);
    expect(doc).toEqual({ a: { b: {} }, list: [] });
  });

  it("refuses to set through a scalar", () => {
    const doc: Record<string, unknown> = { a: 5 };
    expect(() => setAtPath(doc, ["a", "b"], 1)).toThrow("a holds a number, not an object");
  });
});
