import { describe, expect, it } from "vitest";
import { safeToolCallId, toolArguments } from "./convert.js";

describe("safeToolCallId", () => {
  it.each(["toolu_01AbC", "call_x-y"])("keeps %s", (id) => expect(safeToolCallId(id)).toBe(id));
  it("shortens long ids deterministically within 64 chars", () => {
    const long = "x".repeat(80);
    expect(safeToolCallId(long)).toHaveLength(safeToolCallId(long).length);
    expect(safeToolCallId(long).length).toBeLessThanOrEqual(64);
    expect(safeToolCallId(long)).toBe(safeToolCallId(long));
    expect(safeToolCallId(long)).not.toBe(safeToolCallId(`${"x".repeat(79)}y`));
  });
});

describe("toolArguments", () => {
  it.each([
    [{ a: 1 }, { a: 1 }],
    ['{"a":1}', { a: 1 }],
    ["", {}],
    ["{not json", {}],
    ["[1,2]", {}],
    [null, {}],
    [7, {}],
  ])("%j → %j", (input, out) => expect(toolArguments(input)).toEqual(out));
});
