import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram, GROUP_OF_COMMAND } from "./main.js";

const names = (program: Command) => program.commands.map((c) => c.name()).sort();

/** Everything a user can see of a command: its help, and its subcommands' help, recursively. */
function describeCommand(cmd: Command): string {
  return [cmd.helpInformation(), ...cmd.commands.map(describeCommand)].join("\n");
}

describe("buildProgram", () => {
  it("maps every top-level command of the whole program to its group, and nothing else", () => {
    expect(Object.keys(GROUP_OF_COMMAND).sort()).toEqual(names(buildProgram()));
  });

  it.each(Object.keys(GROUP_OF_COMMAND))("sets up `%s` alone exactly as the whole program has it", (name) => {
    const alone = buildProgram(["node", "pincer", name, "--help"]);
    const whole = buildProgram().commands.find((c) => c.name() === name);
    const mine = alone.commands.find((c) => c.name() === name);
    expect(mine).toBeDefined();
    expect(describeCommand(mine as Command)).toBe(describeCommand(whole as Command));
    expect(alone.commands.length).toBeLessThan(buildProgram().commands.length);
  });

  it.each([
    ["no command", ["node", "pincer"]],
    ["--help", ["node", "pincer", "--help"]],
    ["an unknown command", ["node", "pincer", "gatewya"]],
    ["a prototype key", ["node", "pincer", "constructor"]],
  ])("sets up every group for %s", (_label, argv) => {
    expect(names(buildProgram(argv))).toEqual(names(buildProgram()));
  });
});
