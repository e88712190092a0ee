import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expandHome, resolveStatePaths } from "./paths.js";

describe("resolveStatePaths", () => {
  it("defaults to ~/.pincer/pincer.json under HOME", () => {
    const p = resolveStatePaths({ HOME: "/home/ann" });
    expect(p).toEqual({
      stateDir: "/home/ann/.pincer",
      configPath: "/home/ann/.pincer/pincer.json",
      logsDir: "/home/ann/.pincer/logs",
      credentialsDir: "/home/ann/.pincer/credentials",
      agentsDir: "/home/ann/.pincer/agents",
      workspaceDir: "/home/ann/.pincer/workspace",
      cronDir: "/home/ann/.pincer/cron",
    });
  });

  it("honours PINCER_STATE_DIR and PINCER_CONFIG_PATH with ~ expansion", () => {
    const p = resolveStatePaths({
      HOME: "/home/ann",
      PINCER_STATE_DIR: "~/state",
      PINCER_CONFIG_PATH: "~/cfg/p.json5",
    });
    expect(p.stateDir).toBe("/home/ann/state");
    expect(p.configPath).toBe("/home/ann/cfg/p.json5");
    expect(p.agentsDir).toBe("/home/ann/state/agents");
  });

  it("puts the config in a custom state dir and resolves relative paths", () => {
    const p = resolveStatePaths({ HOME: "/h", PINCER_STATE_DIR: "rel/state" });
    expect(p.configPath).toBe(path.resolve("rel/state/pincer.json"));
  });

  it("ignores blank variables", () => {
    expect(resolveStatePaths({ HOME: "/h", PINCER_STATE_DIR: "  " }).stateDir).toBe("/h/.pincer");
  });

  it("falls back to the OS home directory without HOME", () => {
    expect(resolveStatePaths({}).stateDir).toBe(path.join(os.homedir(), ".pincer"));
  });
});

describe("expandHome", () => {
  it.each([
    ["~", "/h"],
    ["~/x", "/h/x"],
    ["~x", "~x"],
    ["/abs/~", "/abs/~"],
  ])("%s -> %s", (input, expected) => expect(expandHome(input, "/h")).toBe(expected));
});
