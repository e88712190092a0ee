// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config/load.js";
import { DEFAULT_PORT } from "../config/schema.js";
import { DEFAULT_GATEWAY_PORT, localGatewayUrl, readGatewayTargetFast, resolveTarget } from "./target.js";

let dir: string;
let configPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pincer-target-"));
  configPath = join(dir, "pincer.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ HOME: dir, PINCER_STATE_DIR: dir, ...extra });

/** What the full loader reads for the CLI, in the fast reader's shape. */
async function fullRead(e: NodeJS.ProcessEnv) {
  const gw = (await loadConfig(configPath, e)).config.gateway;
  return {
    port: gw.port,
    bind: gw.bind,
    ...(gw.auth.token !== undefined ? { token: gw.auth.token } : {}),
    ...(gw.auth.password !== undefined ? { password: gw.auth.password } : {}),
  };
}

describe("readGatewayTargetFast", () => {
  it("uses the schema's default port", () => {
    expect(DEFAULT_GATEWAY_PORT).toBe(DEFAULT_PORT);
  });

  it("reads a missing file as the defaults, as the full loader does", async () => {
    expect(await readGatewayTargetFast(configPath)).toEqual({ port: DEFAULT_PORT, bind: "loopback" });
    expect(await fullRead(env())).toEqual({ port: DEFAULT_PORT, bind: "loopback" });
  });

  it.each([
    ["empty object", "{}"],
    ["port only", JSON.stringify({ gateway: { port: 4321 } })],
    ["token and bind", JSON.stringify({ gateway: { port: 0, bind: "lan", auth: { mode: "token", token: "t0k" } } })],
    ["password, IPv6 bind", JSON.stringify({ gateway: { bind: "::1", auth: { password: "pw" } } })],
    [
      "JSON5 with comments",
      "// mine\n{ gateway: { port: 5555, auth: { token: 'j5', }, }, logging: { level: 'debug' } }",
    ],
    ["other sections", JSON.stringify({ gateway: { port: 7 }, agents: { defaults: { maxConcurrent: 2 } } })],
  ])("reads %s exactly as the full loader does", async (_label, raw) => {
    writeFileSync(configPath, raw);
    const fast = await readGatewayTargetFast(configPath);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await fullRead(env()));
  });

  it.each([
    ["an empty file", ""],
    ["a syntax error", "{ gateway: { port: 1 "],
    ["an array", "[]"],
    ["an $include", JSON.stringify({ $include: "./more.json5" })],
    ["${VAR} substitution", JSON.stringify({ gateway: { auth: { token: "${GW_TOKEN}" } } })],
    ["a SecretRef token", JSON.stringify({ gateway: { auth: { token: { source: "env", id: "GW_TOKEN" } } } })],
    ["a __proto__ key", '{"gateway": {"__proto__": {"port": 1}}}'],
    ["a port that is a string", JSON.stringify({ gateway: { port: "18789" } })],
    ["a port out of range", JSON.stringify({ gateway: { port: 70000 } })],
    ["a fractional port", JSON.stringify({ gateway: { port: 1.5 } })],
    ["an empty bind", JSON.stringify({ gateway: { bind: "" } })],
    ["gateway not an object", JSON.stringify({ gateway: "local" })],
    ["auth not an object", JSON.stringify({ gateway: { auth: "token" } })],
    ["a numeric password", JSON.stringify({ gateway: { auth: { password: 1234 } } })],
  ])("leaves %s to the full loader", async (_label, raw) => {
    writeFileSync(configPath, raw);
    expect(await readGatewayTargetFast(configPath)).toBeUndefined();
  });

  it("leaves an unreadable config (a folder) to the full loader", async () => {
    const folder = join(dir, "folder.json");
    mkdirSync(folder);
    expect(await readGatewayTargetFast(folder)).toBeUndefined();
  });
});

describe("resolveTarget", () => {
  it("takes the URL and token from a plain config", async () => {
    writeFileSync(configPath, JSON.stringify({ gateway: { port: 4321, auth: { token: "cfg" } } }));
    expect(await resolveTarget({}, env())).toEqual({ url: "ws://127.0.0.1:4321", token: "cfg" });
  });

  it("prefers flags, then the environment, to the config", async () => {
    writeFileSync(configPath, JSON.stringify({ gateway: { port: 4321, auth: { token: "cfg" } } }));
    expect(await resolveTarget({ token: "flag" }, env({ PINCER_GATEWAY_TOKEN: "envtok" }))).toEqual({
      url: "ws://127.0.0.1:4321",
      token: "flag",
    });
    expect(await resolveTarget({}, env({ PINCER_GATEWAY_TOKEN: "envtok", PINCER_GATEWAY_URL: "ws://h:1" }))).toEqual({
      url: "ws://h:1",
      token: "envtok",
    });
  });

  it("resolves a SecretRef token through the full loader", async () => {
    writeFileSync(configPath, JSON.stringify({ gateway: { port: 9, auth: { token: { source: "env", id: "GW_T" } } } }));
    expect(await resolveTarget({}, env({ GW_T: "from-env" }))).toEqual({ url: "ws://127.0.0.1:9", token: "from-env" });
  });

  it("resolves ${VAR} in the config through the full loader", async () => {
    writeFileSync(configPath, JSON.stringify({ gateway: { port: 9, auth: { password: "${GW_P}" } } }));
    expect(await resolveTarget({}, env({ GW_P: "pw" }))).toEqual({ url: "ws://127.0.0.1:9", password: "pw" });
  });

  it.each([
    ["a wrong type in the gateway section", JSON.stringify({ gateway: { port: "x" } })],
    ["a syntax error", "{ gateway: "],
    ["an unset SecretRef", JSON.stringify({ gateway: { auth: { token: { source: "env", id: "NOPE_UNSET" } } } })],
  ])("fails on %s with the full loader's CONFIG_INVALID error", async (_label, raw) => {
    writeFileSync(configPath, raw);
    const expected = await loadConfig(configPath, env()).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(expected).toMatchObject({ code: "CONFIG_INVALID" });
    await expect(resolveTarget({}, env())).rejects.toThrow(expected?.message ?? "");
  });

  it("does not read the config when the URL and a credential are given", async () => {
    writeFileSync(configPath, "{ broken");
    expect(await resolveTarget({ url: "ws://h:2", password: "p" }, env())).toEqual({ url: "ws://h:2", password: "p" });
  });
});

describe("localGatewayUrl", () => {
  it.each([
    ["loopback", 1, "ws://127.0.0.1:1"],
    ["lan", 2, "ws://127.0.0.1:2"],
    ["::", 3, "ws://127.0.0.1:3"],
    ["::1", 4, "ws://[::1]:4"],
    ["10.0.0.5", 5, "ws://10.0.0.5:5"],
  ])("connects to a gateway bound to %s", (bind, port, url) => {
    expect(localGatewayUrl(bind, port)).toBe(url);
  });
});
