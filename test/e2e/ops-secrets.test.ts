import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm/index.js";
import { fakeConfig } from "./agent-gateway.js";
import { PINCER_BIN, startTestGateway, type TestGateway } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** The secrets vault end to end: stored by the CLI, used by a real gateway, never shown; a wrong key refuses. */
const VAULT_KEY = Buffer.alloc(32, 42).toString("base64");
const SECRET = "sk-vaulted-0123456789";
let fake: FakeLlm;
let stateDir: string;
let gw: TestGateway | undefined;

const cli = (args: string[], input?: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [PINCER_BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: stateDir, PINCER_STATE_DIR: stateDir, PINCER_VAULT_KEY: VAULT_KEY, ...env },
    encoding: "utf8",
    ...(input === undefined ? {} : { input }),
  });

beforeAll(async () => {
  fake = await startFakeLlm();
  stateDir = mkdtempSync(join(tmpdir(), "pincer-e2e-secrets-"));
  const config = fakeConfig(fake) as Any;
  config.models.providers.fake.apiKey = "placeholder";
  writeFileSync(join(stateDir, "pincer.json"), JSON.stringify(config, null, 2));
});
afterAll(async () => {
  await gw?.cleanup();
  await fake?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("secrets vault", () => {
  it("pincer secrets set stores a key from stdin and points the config at it", () => {
    const set = cli(["secrets", "set", "fake-key", "--ref", "models.providers.fake.apiKey"], `${SECRET}\n`);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toContain('Stored secret "fake-key" (key: PINCER_VAULT_KEY)');
    const config = JSON.parse(readFileSync(join(stateDir, "pincer.json"), "utf8"));
    expect(config.models.providers.fake.apiKey).toEqual({ source: "vault", id: "fake-key" });
    expect(readFileSync(join(stateDir, "credentials", "vault.json"), "utf8")).not.toContain(SECRET);

    const list = cli(["secrets", "list", "--json"]);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).secrets).toEqual([
      expect.objectContaining({ name: "fake-key", usedBy: ["models.providers.fake.apiKey"] }),
    ]);
    expect(list.stdout).not.toContain(SECRET);
  });

  it("the gateway uses the vaulted key and never shows it in config.get, status or its log", async () => {
    gw = await startTestGateway({ stateDir, env: { PINCER_VAULT_KEY: VAULT_KEY } });
    const client = await gw.client();
    try {
      const ack = await client.call<Any>("chat.send", { sessionKey: "main", message: "hi", idempotencyKey: "s-1" });
      await client.call("agent.wait", { runId: ack.runId, timeoutMs: 10_000 });
      expect(fake.requests[0]?.apiKey).toBe(SECRET);
      const shown = JSON.stringify([await client.call("config.get"), await client.call("status")]);
      expect(shown).not.toContain(SECRET);
    } finally {
      client.close();
    }
    expect(await gw.stop()).toBe(0);
    expect(gw.output()).not.toContain(SECRET);
  });

  it("a wrong vault key stops the gateway at start with an error naming the field and the key", () => {
    const wrong = Buffer.alloc(32, 1).toString("base64");
    const run = spawnSync(process.execPath, [PINCER_BIN, "gateway", "--port", "0"], {
      env: { PATH: process.env.PATH, HOME: stateDir, PINCER_STATE_DIR: stateDir, PINCER_VAULT_KEY: wrong },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/models\.providers\.fake\.apiKey: vault secret "fake-key": wrong vault key/);
    const list = cli(["secrets", "list"], undefined, { PINCER_VAULT_KEY: wrong });
    expect(list.status).toBe(1);
    expect(list.stderr).toMatch(/VAULT_KEY_INVALID: wrong vault key/);
  });

  it("rotate re-encrypts under a new key; remove refuses a secret still in use", () => {
    const next = Buffer.alloc(32, 77).toString("base64");
    const rotated = cli(["secrets", "rotate"], undefined, { PINCER_VAULT_NEW_KEY: next });
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain("Now set PINCER_VAULT_KEY");
    expect(cli(["secrets", "list"]).status).toBe(1);
    expect(cli(["secrets", "list"], undefined, { PINCER_VAULT_KEY: next }).stdout).toMatch(/^fake-key {2}updated/);
    const removed = cli(["secrets", "remove", "fake-key"], undefined, { PINCER_VAULT_KEY: next });
    expect(removed.status).toBe(1);
    expect(removed.stderr).toContain("still used by models.providers.fake.apiKey");
  });
});
