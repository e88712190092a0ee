import { describe, expect, it } from "vitest";
import { parseSlashCommand } from "./commands.js";

describe("parseSlashCommand", () => {
  it.each([
    ["/new", { name: "new", arg: "" }],
    ["  /reset  ", { name: "reset", arg: "" }],
    ["/model openai/gpt-4o", { name: "model", arg: "openai/gpt-4o" }],
    ["/status@pincer_bot", { name: "status", arg: "" }],
    ["/compact keep the decisions\nand names", { name: "compact", arg: "keep the decisions\nand names" }],
    ["/STOP", { name: "stop", arg: "" }],
  ])("parses %j", (text, expected) => {
    expect(parseSlashCommand(text)).toEqual(expected);
  });

  it.each(["hello", "/unknown thing", "path /new", "/newer", "//new", ""])("ignores %j", (text) => {
    expect(parseSlashCommand(text)).toBeUndefined();
  });
});
