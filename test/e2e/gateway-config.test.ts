import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PincerError } from "../../src/errors.js";
import type { GatewayClient } from "../../src/gateway/client.js";
import { startTestGateway, type TestGateway } from "./harness.js";

/**
 * The config over the protocol and on disk: redaction, optimistic concurrency (baseHash), validation that
 * leaves the file untouched, hot reload with a config.changed event, and hand edits that break the file.
 */

const TOKEN = "config-token-c0ffee";
const REDACTED = "__PINCER_REDACTED__";

let gw: TestGateway;
let client: GatewayClient;
let configPath: string;
const events: { event: string; payload: unknown }[] = [];

interface ConfigGet {
  path: string;
  raw: string;
  hash: string;
  parsed: Record<string, unknown>;
  config: { logging: { level: string }; session: { mainKey: string } };
}

beforeAll(async () => {
  gw = await startTestGateway({
    config: { gateway: { auth: { token: TOKEN }, reload: { debounceMs: 50 } }, logging: { level: "info" } },
    token: TOKEN,
  });
  configPath = join(gw.stateDir, "pincer.json");
  client = await gw.client({ onEvent: (event, payload) => events.push({ event, payload }) });
});

afterAll(async () => {
  client?.close();
  await gw?.cleanup();
});

function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = probe();
      if (value !== undefined) return resolve(value);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 20);
    };
    check();
  });
}

function nextConfigChanged(from: number) {
  return waitFor("a config.changed event", () =>
    events.slice(from).find((e) => e.event === "config.changed"),
  ) as Promise<{ payload: { hash: string; changedPaths: string[]; restartRequired: boolean } }>;
}

async function callError(method: string, params: unknown): Promise<PincerError> {
  try {
    await client.call(method, params);
  } catch (err) {
    return err as PincerError;
  }
  throw new Error(`${method} unexpectedly succeeded`);
}

describe("config over the protocol", () => {
  it("config.get never reveals the gateway token", async () => {
    const cfg = await client.call<ConfigGet>("config.get");
    expect(cfg.path).toBe(configPath);
    expect(JSON.stringify(cfg)).not.toContain(TOKEN);
    expect(cfg.raw).toContain(REDACTED);
    expect(cfg.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("config.patch with a stale baseHash fails with CONFLICT and writes nothing", async () => {
    const before = readFileSync(configPath);
    const err = await callError("config.patch", {
      raw: JSON.stringify({ logging: { level: "debug" } }),
      baseHash: "0".repeat(64),
    });
    expect(err.code).toBe("CONFLICT");
    expect(readFileSync(configPath).equals(before)).toBe(true);
  });

  it("config.patch that would make the config invalid fails with CONFIG_INVALID naming the path", async () => {
    const { hash } = await client.call<ConfigGet>("config.get");
    const before = readFileSync(configPath);
    const err = await callError("config.patch", {
      raw: JSON.stringify({ gateway: { tickIntervalMs: "fast" } }),
      baseHash: hash,
    });
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toContain("gateway.tickIntervalMs");
    expect(readFileSync(configPath).equals(before)).toBe(true);
    expect((await client.call<ConfigGet>("config.get")).hash).toBe(hash);
  });

  it("a valid config.patch is applied live: config.changed arrives and config.get shows the value", async () => {
    const { hash } = await client.call<ConfigGet>("config.get");
    const from = events.length;
    const result = await client.call<{ hash: string; changedPaths: string[]; restartRequired: boolean }>(
      "config.patch",
      { raw: JSON.stringify({ logging: { level: "debug" } }), baseHash: hash },
    );
    expect(result.changedPaths).toEqual(["logging.level"]);
    expect(result.restartRequired).toBe(false);
    const changed = await nextConfigChanged(from);
    expect(changed.payload).toMatchObject({
      hash: result.hash,
      changedPaths: ["logging.level"],
      restartRequired: false,
    });
    const after = await client.call<ConfigGet>("config.get");
    expect(after.config.logging.level).toBe("debug");
    expect(after.hash).toBe(result.hash);
  });

  it("a patch sending back the redacted token keeps the real token on disk", async () => {
    const { hash } = await client.call<ConfigGet>("config.get");
    await client.call("config.patch", {
      raw: JSON.stringify({ gateway: { auth: { token: REDACTED } }, session: { mainKey: "home" } }),
      baseHash: hash,
    });
    const disk = readFileSync(configPath, "utf8");
    expect(disk).toContain(TOKEN);
    expect(disk).not.toContain(REDACTED);
    expect((await client.call<ConfigGet>("config.get")).config.session.mainKey).toBe("home");
  });
});

describe("config edited on disk", () => {
  it("keeps serving with the last good config when the file gets a syntax error", async () => {
    const good = await client.call<ConfigGet>("config.get");
    writeFileSync(configPath, "{ gateway: { auth: { token: ");
    await waitFor("the reload failure in the log", () =>
      gw.output().includes("config reload failed") ? true : undefined,
    );
    expect(await client.call<{ ok: boolean }>("health")).toMatchObject({ ok: true });
    const still = await client.call<ConfigGet>("config.get");
    expect(still.hash).toBe(good.hash);
    expect(still.config.logging.level).toBe("debug");
    // New clients are still admitted with the token from the last good config.
    const fresh = await gw.client();
    expect(await fresh.call<{ ok: boolean }>("health")).toMatchObject({ ok: true });
    fresh.close();
  });

  it("hot-reloads a fixed file: config.changed arrives and the new value is live", async () => {
    const from = events.length;
    writeFileSync(
      configPath,
      JSON.stringify({ gateway: { auth: { token: TOKEN }, reload: { debounceMs: 50 } }, logging: { level: "warn" } }),
    );
    const changed = await nextConfigChanged(from);
    expect(changed.payload.changedPaths).toContain("logging.level");
    expect((await client.call<ConfigGet>("config.get")).config.logging.level).toBe("warn");
  });
});
