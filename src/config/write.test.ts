// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serializeConfig, writeConfigFile, writeFileAtomic } from "./write.js";

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "pincer-write-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("replaces the file, sets the mode exactly and leaves no temp files", async () => {
    const file = path.join(dir, "pincer.json");
    await fs.writeFile(file, "old", { mode: 0o644 });
    for (let i = 0; i < 5; i += 1) await writeFileAtomic(file, `new ${i}`);
    expect(await fs.readFile(file, "utf8")).toBe("new 4");
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(["pincer.json"]);
  });

  it("honours another mode", async () => {
    const file = path.join(dir, "data.json");
    await writeFileAtomic(file, "x", 0o640);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
  });

  it("keeps concurrent writers whole: the file is always one complete version", async () => {
    const file = path.join(dir, "race.json");
    const versions = Array.from({ length: 20 }, (_, i) => String(i).repeat(10_000));
    await Promise.all(versions.map((v) => writeFileAtomic(file, v)));
    expect(versions).toContain(await fs.readFile(file, "utf8"));
    expect(await fs.readdir(dir)).toEqual(["race.json"]);
  });

  it("fails without leaving a temp file when the target cannot be replaced", async () => {
    const target = path.join(dir, "is-a-dir");
    await fs.mkdir(path.join(target, "child"), { recursive: true });
    await expect(writeFileAtomic(target, "x")).rejects.toThrow();
    expect((await fs.readdir(dir)).sort()).toEqual(["is-a-dir"]);
  });
});

describe("writeConfigFile", () => {
  it("creates the folder 0700 and writes through a symlinked config", async () => {
    const nested = path.join(dir, "state", "pincer.json");
    await writeConfigFile(nested, "{}\n");
    expect((await fs.stat(path.dirname(nested))).mode & 0o777).toBe(0o700);

    const real = path.join(dir, "dotfiles.json");
    await fs.writeFile(real, "{}");
    const link = path.join(dir, "state", "link.json");
    await fs.symlink(real, link);
    await writeConfigFile(link, '{"a":1}\n');
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await fs.readFile(real, "utf8")).toBe('{"a":1}\n');
  });
});

describe("serializeConfig", () => {
  it("writes pretty JSON that JSON5 reads back", () => {
    const doc = { gateway: { port: 1 }, list: [1, "two"], s: "${VAR}" };
    const text = serializeConfig(doc);
    expect(text).toBe(
      '{\n  "gateway": {\n    "port": 1\n  },\n  "list": [\n    1,\n    "two"\n  ],\n  "s": "${VAR}"\n}\n',
    );
    expect(JSON5.parse(text)).toEqual(doc);
  });
});
