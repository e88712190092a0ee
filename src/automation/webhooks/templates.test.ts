import { describe, expect, it } from "vitest";
import { renderTemplate, type TemplateContext } from "./templates.js";

const ctx: TemplateContext = {
  payload: { a: { b: "deep" }, list: [{ name: "first" }], n: 3, obj: { x: 1 }, nil: null },
  headers: { "x-event-type": "push" },
  query: { kind: "daily" },
  path: "github",
  now: new Date("2026-01-02T03:04:05.000Z"),
};

describe("renderTemplate", () => {
  it.each([
    ["{{a.b}}", "deep"],
    ["{{payload.a.b}}", "deep"],
    ["{{ list[0].name }}", "first"],
    ["{{n}} items", "3 items"],
    ["{{obj}}", '{"x":1}'],
    ["{{headers.x-event-type}}", "push"],
    ["{{query.kind}}", "daily"],
    ["{{path}}", "github"],
    ["{{now}}", "2026-01-02T03:04:05.000Z"],
    ["no placeholders", "no placeholders"],
  ])("%s → %s", (template, text) => {
    expect(renderTemplate(template, ctx)).toEqual({ text, missing: [] });
  });

  it.each([
    ["{{missing}}", ["missing"]],
    ["{{a.c}} and {{list[5].name}}", ["a.c", "list[5].name"]],
    ["{{nil}}", ["nil"]],
    ["{{a.__proto__}}", ["a.__proto__"]],
    ["{{constructor}}", ["constructor"]],
  ])("%s renders empty and reports %j", (template, missing) => {
    const out = renderTemplate(template, ctx);
    expect(out.missing).toEqual(missing);
    expect(out.text).not.toContain("{{");
  });
});
