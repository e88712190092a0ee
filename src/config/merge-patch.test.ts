import { describe, expect, it } from "vitest";
import { applyMergePatch, mergePatchDeletions } from "./merge-patch.js";

describe("applyMergePatch (RFC 7396 appendix A)", () => {
  it.each([
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [
      ["a", "b"],
      ["c", "d"],
      ["c", "d"],
    ],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])("%j + %j = %j", (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it("modifies neither argument", () => {
    const target = { a: { b: 1 }, list: [1] };
    const patch = { a: { c: 2 }, list: [2] };
    const out = applyMergePatch(target, patch) as { list: number[] };
    out.list.push(3);
    expect(target).toEqual({ a: { b: 1 }, list: [1] });
    expect(patch).toEqual({ a: { c: 2 }, list: [2] });
  });
});

describe("applyMergePatch with replacePaths", () => {
  const target = { models: { providers: { openai: { baseUrl: "u", apiKey: "k", headers: { x: "1" } } } }, other: 1 };

  it.each([
    ["merges when the path is not listed", [], { baseUrl: "v", apiKey: "k", headers: { x: "1" } }],
    ["replaces the object at a listed path", ["models.providers.openai"], { baseUrl: "v" }],
    ["accepts bracket notation", ['models.providers["openai"]'], { baseUrl: "v" }],
  ])("%s", (_name, replacePaths, expected) => {
    const out = applyMergePatch(
      target,
      { models: { providers: { openai: { baseUrl: "v" } } } },
      replacePaths,
    ) as typeof target;
    expect(out.models.providers.openai).toEqual(expected);
    expect(out.other).toBe(1);
  });

  it("drops nulls inside a replaced object", () => {
    const out = applyMergePatch(target, { models: { providers: { openai: { baseUrl: "v", apiKey: null } } } }, [
      "models.providers.openai",
    ]) as typeof target;
    expect(out.models.providers.openai).toEqual({ baseUrl: "v" });
  });

  it("rejects a malformed replace path", () => {
    expect(() => applyMergePatch({}, {}, ["a..b"])).toThrow('bad config path "a..b"');
  });
});

describe("mergePatchDeletions", () => {
  it("lists the null leaves", () => {
    expect(mergePatchDeletions({ a: null, b: { c: null, d: 1 }, e: [null] })).toEqual([["a"], ["b", "c"]]);
  });
});
