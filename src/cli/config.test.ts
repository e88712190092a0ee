// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerConfigCommands } from "./config.js";

let dir: string;
let file: string;
const savedEnv = { ...process.env };

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "pincer-cli-config-"));
  file = path.join(dir, "pincer.json");
  process.env.PINCER_STATE_DIR = dir;
  delete process.env.PINCER_CONFIG_PATH;
  process.exitCode = undefined;
});
afterEach(async () => {
  process.env = { ...savedEnv };
  process.exitCode = undefined;
  vi.restoreAllMocks();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs `pincer config …` in process and returns what it printed and the exit code it set. */
async function run(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command("pincer").exitOverride();
  registerConfigCommands(program);
  try {
    await program.parseAsync(["node", "pincer", "config", ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout, stderr, exitCode };
}

describe("pincer config path / validate", () => {
  it("prints the config path", async () => {
    expect((await run("path")).stdout).toBe(`${file}\n`);
  });

  it("validates a missing, a valid and an invalid file", async () => {
    expect(await run("validate")).toEqual({
      stdout: `ok: ${file} does not exist; all defaults apply\n`,
      stderr: "",
      exitCode: 0,
    });
    await fs.writeFile(file, "{ gateway: { port: 1 } }");
    expect((await run("validate")).stdout).toBe(`ok: ${file} is valid\n`);
    await fs.writeFile(file, "{ gateway: { port: 'x', extra: 1 } }");
    const bad = await run("validate");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^pincer: invalid config /);
    expect(bad.stderr).toContain("gateway.port: expected number, received string");
    expect(bad.stderr).toContain('gateway.extra: unknown key "extra" in gateway');
  });

  it("reports a syntax error with line and column", async () => {
    await fs.writeFile(file, "{\n  a: ,\n}");
    const bad = await run("validate");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(`pincer: ${file}:2:6: JSON5 syntax error`);
  });
});

describe("pincer config get", () => {
  it("prints the effective config or one value, redacted unless --show-secrets", async () => {
    await fs.writeFile(file, "{ gateway: { port: 1234, auth: { token: 'tok-123' } } }");
    expect((await run("get", "gateway.port")).stdout).toBe("1234\n");
    expect(JSON.parse((await run("get", "gateway.auth")).stdout)).toMatchObject({ token: "__PINCER_REDACTED__" });
    expect(JSON.parse((await run("get", "gateway.auth.token", "--show-secrets")).stdout)).toBe("tok-123");
    expect(JSON.parse((await run("get")).stdout).gateway.bind).toBe("loopback");
  });

  it("fails on a path with no value and on a malformed path", async () => {
    const missing = await run("get", "gateway.nope");
    expect(missing).toMatchObject({ exitCode: 1, stderr: `pincer: no value at gateway.nope in ${file}\n` });
    expect((await run("get", "a..b")).stderr).toContain('bad config path "a..b"');
  });
});

describe("pincer config set / unset", () => {
  it("sets JSON5 values and plain strings, creating the file 0600", async () => {
    expect((await run("set", "gateway.port", "4321")).stdout).toBe(`set gateway.port in ${file}\n`);
    await run("set", "gateway.bind", "lan");
    await run("set", "agents.list", "[{ id: 'main', default: true }]");
    expect(JSON5.parse(await fs.readFile(file, "utf8"))).toEqual({
      gateway: { port: 4321, bind: "lan" },
      agents: { list: [{ id: "main", default: true }] },
    });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it("validates before writing: a bad value leaves the file unchanged", async () => {
    await fs.writeFile(file, "{ gateway: { port: 1 } }");
    const bad = await run("set", "gateway.port", "not-a-port");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("gateway.port: expected number, received string");
    const unknown = await run("set", "gateway.prot", "1");
    expect(unknown.stderr).toContain('gateway.prot: unknown key "prot"');
    expect(await fs.readFile(file, "utf8")).toBe("{ gateway: { port: 1 } }");
    expect(await fs.readdir(dir)).toEqual(["pincer.json"]);
  });

  it("keeps ${VAR} references as written", async () => {
    process.env.MY_BIND = "lan";
    await run("set", "gateway.bind", "${MY_BIND}");
    expect(JSON5.parse(await fs.readFile(file, "utf8"))).toEqual({ gateway: { bind: "${MY_BIND}" } });
    delete process.env.MY_BIND;
    expect((await run("set", "gateway.port", "5")).stderr).toContain("environment variable MY_BIND is not set");
  });

  it("unsets a value, and fails when there is nothing to remove or it comes from an include", async () => {
    await fs.writeFile(path.join(dir, "log.json5"), "{ level: 'warn' }");
    await fs.writeFile(file, "{ gateway: { port: 1 }, logging: { $include: 'log.json5', level: 'debug' } }");
    expect((await run("unset", "gateway.port")).stdout).toBe(`removed gateway.port from ${file}\n`);
    expect(JSON5.parse(await fs.readFile(file, "utf8")).gateway).toEqual({});
    expect((await run("unset", "gateway.port")).stderr).toBe(
      `pincer: nothing to remove: gateway.port is not set in ${file}\n`,
    );
    const included = await run("unset", "logging.level");
    expect(included.exitCode).toBe(1);
    expect(included.stderr).toContain("logging.level is also set by an $include'd file");
  });
});
