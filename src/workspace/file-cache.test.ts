import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorkspaceFileCache } from "./file-cache.js";

let dir: string;
let clock: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pincer-wsfiles-"));
  clock = 1_000_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("WorkspaceFileCache", () => {
  it("serves a file from memory until the check interval passes, then sees an edit", async () => {
    const cache = new WorkspaceFileCache(1_500, () => clock);
    const path = join(dir, "SOUL.md");
    writeFileSync(path, "first");
    expect(await cache.read(path)).toBe("first");
    writeFileSync(path, "second, longer");
    clock += 1_000;
    expect(await cache.read(path)).toBe("first");
    clock += 600;
    expect(await cache.read(path)).toBe("second, longer");
  });

  it("notices files that appear and disappear, and treats a folder as no file", async () => {
    const cache = new WorkspaceFileCache(1_500, () => clock);
    const path = join(dir, "AGENTS.md");
    expect(await cache.read(path)).toBeUndefined();
    writeFileSync(path, "rules");
    clock += 2_000;
    expect(await cache.read(path)).toBe("rules");
    rmSync(path);
    clock += 2_000;
    expect(await cache.read(path)).toBeUndefined();
    mkdirSync(path);
    clock += 2_000;
    expect(await cache.read(path)).toBeUndefined();
  });

  it("with no interval reads every change at once", async () => {
    const cache = new WorkspaceFileCache(0, () => clock);
    const path = join(dir, "USER.md");
    writeFileSync(path, "a");
    expect(await cache.read(path)).toBe("a");
    writeFileSync(path, "bb");
    expect(await cache.read(path)).toBe("bb");
  });
});
