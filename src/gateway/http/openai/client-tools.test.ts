import { describe, expect, it } from "vitest";
import type { ToolCallPart } from "../../../sessions/messages.js";
import {
  type DeclaredTool,
  FunctionParameters,
  missingRequiredCall,
  planClientTools,
  ToolName,
} from "./client-tools.js";
import { OpenAiHttpError } from "./errors.js";

const tool = (name: string, i = 0): DeclaredTool => ({ name, param: `tools[${i}].function.name` });
const tools = [tool("a", 0), tool("b", 1)];
const call = (name: string): ToolCallPart => ({ type: "toolCall", id: `call_${name}`, name, arguments: {} });

function thrown(fn: () => unknown): OpenAiHttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OpenAiHttpError) return err;
    throw err;
  }
  throw new Error("expected an OpenAiHttpError");
}

describe("planClientTools", () => {
  it.each([
    ["no tools", [], undefined, undefined],
    ['"none"', tools, "none", undefined],
  ] as const)("offers nothing for %s", (_what, declared, choice, expected) => {
    expect(planClientTools([...declared], choice, "tool_choice.function.name")).toBe(expected);
  });

  it('offers every tool for "auto", with an object schema when none was declared', () => {
    const plan = planClientTools(tools, "auto", "tool_choice.function.name");
    expect(plan?.specs.map((s) => s.name)).toEqual(["a", "b"]);
    expect(plan?.specs[0]).toEqual({ name: "a", description: "", parameters: { type: "object", properties: {} } });
    expect(plan?.instruction).toBeUndefined();
    expect(plan?.required).toBeUndefined();
  });

  it('requires one of all tools for "required", and only the named one for a named function', () => {
    const required = planClientTools(tools, "required", "tool_choice.function.name");
    expect(required?.required).toEqual(["a", "b"]);
    expect(required?.instruction).toContain("one of the tools a, b");
    const named = planClientTools(tools, { name: "b" }, "tool_choice.function.name");
    expect(named?.specs.map((s) => s.name)).toEqual(["b"]);
    expect(named?.required).toEqual(["b"]);
  });

  it.each([
    ["a name declared twice", [tool("a", 0), tool("a", 1)], "auto", "tools[1].function.name"],
    ["a named function not in tools", tools, { name: "zz" }, "tool_choice.function.name"],
    ['"required" without tools', [], "required", "tool_choice"],
  ] as [string, DeclaredTool[], "auto" | "required" | { name: string }, string][])(
    "refuses %s",
    (_what, declared, choice, param) => {
      expect(thrown(() => planClientTools(declared, choice, "tool_choice.function.name")).param).toBe(param);
    },
  );
});

describe("missingRequiredCall", () => {
  const plan = planClientTools(tools, { name: "a" }, "tool_choice.function.name");
  it("passes when a required tool was called or nothing was required", () => {
    expect(missingRequiredCall(plan, [call("a")])).toBeUndefined();
    expect(missingRequiredCall(planClientTools(tools, "auto", "x"), undefined)).toBeUndefined();
  });
  it("fails with a 502 that tells clients not to retry", () => {
    const err = missingRequiredCall(plan, [call("b")]);
    expect(err?.status).toBe(502);
    expect(err?.headers["x-should-retry"]).toBe("false");
  });
});

describe("declaration schemas", () => {
  it.each(["get_weather", "A-1", "x".repeat(64)])("accepts the name %s", (name) => {
    expect(ToolName.safeParse(name).success).toBe(true);
  });
  it.each(["", "has space", "dot.name", "x".repeat(65), "ünï"])("refuses the name %j", (name) => {
    expect(ToolName.safeParse(name).success).toBe(false);
  });
  it.each([
    [{ type: "object", properties: { a: { type: "string" } }, required: ["a"] }, true],
    [{}, true],
    [{ type: "string" }, false],
    [{ type: "object", properties: [] }, false],
    [{ type: "object", required: "a" }, false],
    [[], false],
  ])("parameters %j valid: %s", (schema, ok) => {
    expect(FunctionParameters.safeParse(schema).success).toBe(ok);
  });
});
