import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../../src/config/json-schema.js";
import { jsonErrorLocation, mergePatchDiff } from "./merge-patch-diff.js";
import { checkAgainstSchema } from "./schema-check.js";

const schema = configJsonSchema();

describe("checkAgainstSchema with the real config schema", () => {
  it("accepts an empty config and a typical one", () => {
    expect(checkAgainstSchema({}, schema)).toEqual([]);
    expect(
      checkAgainstSchema(
        { gateway: { port: 18789, auth: { mode: "token", token: "x" } }, logging: { level: "info" } },
        schema,
      ),
    ).toEqual([]);
  });

  it("names the field, the expected type and what was given", () => {
    expect(checkAgainstSchema({ gateway: { port: "http" } }, schema)).toEqual([
      { path: "gateway.port", message: 'must be a whole number, not the text "http"' },
    ]);
    expect(checkAgainstSchema({ gateway: { port: 70000 } }, schema)).toEqual([
      { path: "gateway.port", message: "must be ≤ 65535" },
    ]);
  });

  it("suggests the setting a typo meant", () => {
    expect(checkAgainstSchema({ gateway: { prot: 1 } }, schema)).toEqual([
      { path: "gateway.prot", message: 'is not a known setting (did you mean "port"?)' },
    ]);
  });

  it("checks enums and leaves env-var references to the gateway", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${VAR} syntax, not a template.
    const port = "${PORT}";
    expect(checkAgainstSchema({ gateway: { auth: { mode: "tokens" } } }, schema)[0]?.message).toMatch(/one of/);
    expect(checkAgainstSchema({ gateway: { port } }, schema)).toEqual([]);
  });
});

describe("checkAgainstSchema keywords", () => {
  it.each([
    [{ anyOf: [{ type: "string" }, { type: "integer", minimum: 1 }] }, 0, "must be ≥ 1"],
    [{ oneOf: [{ type: "number" }, { type: "integer" }] }, 3, "matches more than one allowed form"],
    [{ type: "array", minItems: 1, items: { type: "string" } }, [], "must have at least 1 item"],
    [{ type: "object", required: ["a"] }, {}, "is required"],
    [{ type: "string", pattern: "^a" }, "b", "must match ^a"],
    [{ const: "x" }, "y", 'must be "x"'],
    [{ $defs: { n: { type: "number" } }, $ref: "#/$defs/n" }, "1", 'must be a number, not the text "1"'],
  ])("%j with %j", (s, value, message) => {
    expect(checkAgainstSchema(value, s).map((i) => i.message)).toEqual([message]);
  });
});

describe("mergePatchDiff", () => {
  it("carries changes, removals as null, and whole lists", () => {
    expect(
      mergePatchDiff(
        { a: 1, b: { c: 2, d: 3 }, l: [1, 2], gone: true },
        { a: 1, b: { c: 5, d: 3 }, l: [1], added: "x" },
      ),
    ).toEqual({ b: { c: 5 }, l: [1], gone: null, added: "x" });
  });

  it("is undefined when nothing changed", () => {
    expect(mergePatchDiff({ a: { b: [1] } }, { a: { b: [1] } })).toBeUndefined();
  });
});

describe("jsonErrorLocation", () => {
  it("turns an offset into line and column", () => {
    const text = '{\n  "a": 1,\n}';
    let err: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      err = e;
    }
    expect(jsonErrorLocation(text, err)).toMatch(/line 3, column 1/);
  });
});
