import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config/load.js";
import { resolveStatePaths, type StatePaths } from "../config/paths.js";
import { redactSnapshot } from "../config/redact.js";
import { Vault, vaultPath } from "./vault.js";
import { keyFilePath } from "./vault-key.js";

const RAW_KEY = Buffer.alloc(32, 7).toString("base64");
const OTHER_KEY = Buffer.alloc(32, 9).toString("hex");

let root: string;
let paths: StatePaths;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pincer-vault-"));
  env = { HOME: root, PINCER_STATE_DIR: join(root, "state") };
  paths = resolveStatePaths(env);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const vaultFile = () => vaultPath(paths.credentialsDir);
const code = async (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: { code?: string }) => e.code,
  );

describe("vault", () => {
  it("creates a 0600 key file beside (not inside) the state folder and round-trips secrets encrypted", async () => {
    const vault = await Vault.open(paths, env, { create: true });
    await vault.set("openai", "sk-live-123456");
    const keyFile = keyFilePath(paths.stateDir, env);
    expect(keyFile).toBe(`${paths.stateDir}.vault-key`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(vaultFile()).mode & 0o777).toBe(0o600);
    expect(readFileSync(vaultFile(), "utf8")).not.toContain("sk-live-123456");
    const again = await Vault.open(paths, env);
    expect(again.get("openai")).toBe("sk-live-123456");
    expect(again.list().map((s) => s.name)).toEqual(["openai"]);
  });

  it("refuses a wrong vault key with a clear error, from the env variable or the key file", async () => {
    await (await Vault.open(paths, { ...env, PINCER_VAULT_KEY: RAW_KEY }, { create: true })).set("t", "v");
    const wrong = Vault.open(paths, { ...env, PINCER_VAULT_KEY: OTHER_KEY });
    await expect(wrong).rejects.toThrow(/wrong vault key: PINCER_VAULT_KEY does not open .*vault\.json/);
    expect(await code(Vault.open(paths, { ...env, PINCER_VAULT_KEY: OTHER_KEY }))).toBe("VAULT_KEY_INVALID");
    // No env key and no key file: the error says where the key should come from.
    await expect(Vault.open(paths, env)).rejects.toThrow(/needs its key: set PINCER_VAULT_KEY or restore the key file/);
    writeFileSync(keyFilePath(paths.stateDir, env), `${OTHER_KEY}\n`, { mode: 0o600 });
    expect(await code(Vault.open(paths, env))).toBe("VAULT_KEY_INVALID");
  });

  it("takes a passphrase through scrypt, and refuses a short one", async () => {
    const pass = { ...env, PINCER_VAULT_KEY: "correct horse battery staple" };
    await (await Vault.open(paths, pass, { create: true })).set("t", "v");
    expect((await Vault.open(paths, pass)).get("t")).toBe("v");
    await expect(Vault.open(paths, { ...env, PINCER_VAULT_KEY: "short" })).rejects.toThrow(/at least 12 characters/);
  });

  it("refuses a key file others can read", async () => {
    await (await Vault.open(paths, env, { create: true })).set("t", "v");
    chmodSync(keyFilePath(paths.stateDir, env), 0o644);
    await expect(Vault.open(paths, env)).rejects.toThrow(/readable by others .*chmod 600/);
  });

  it("detects an altered entry, and a ciphertext moved to another name", async () => {
    const vault = await Vault.open(paths, env, { create: true });
    await vault.set("a", "alpha");
    await vault.set("b", "bravo");
    const doc = JSON.parse(readFileSync(vaultFile(), "utf8"));
    doc.secrets.b = { ...doc.secrets.a };
    const data = Buffer.from(doc.secrets.a.data, "base64");
    data[0] = (data[0] as number) ^ 1;
    doc.secrets.a.data = data.toString("base64");
    writeFileSync(vaultFile(), JSON.stringify(doc));
    const reopened = await Vault.open(paths, env);
    expect(() => reopened.get("a")).toThrow(/"a" .* was altered or damaged/);
    expect(() => reopened.get("b")).toThrow(/"b" .* was altered or damaged/);
    writeFileSync(vaultFile(), "{ not json");
    expect(await code(Vault.open(paths, env))).toBe("VAULT_CORRUPT");
  });

  it("rotates the key file: values survive, the old key no longer opens the vault", async () => {
    const vault = await Vault.open(paths, env, { create: true });
    await vault.set("a", "alpha");
    const keyFile = keyFilePath(paths.stateDir, env);
    const oldKey = readFileSync(keyFile, "utf8");
    await vault.rotateKey(env);
    expect(readFileSync(keyFile, "utf8")).not.toBe(oldKey);
    expect(existsSync(`${keyFile}.next`)).toBe(false);
    expect((await Vault.open(paths, env)).get("a")).toBe("alpha");
    expect(await code(Vault.open(paths, { ...env, PINCER_VAULT_KEY: oldKey }))).toBe("VAULT_KEY_INVALID");
  });

  it("finishes a rotation that stopped after re-encrypting, before the key file swap", async () => {
    const keyFile = keyFilePath(paths.stateDir, env);
    await (await Vault.open(paths, env, { create: true })).set("a", "alpha");
    const oldKey = readFileSync(keyFile, "utf8");
    await (await Vault.open(paths, env)).rotateKey(env);
    // Put the state back to "new key still beside the old one".
    writeFileSync(`${keyFile}.next`, readFileSync(keyFile), { mode: 0o600 });
    writeFileSync(keyFile, oldKey);
    expect((await Vault.open(paths, env)).get("a")).toBe("alpha");
    expect(existsSync(`${keyFile}.next`)).toBe(false);
  });

  it("rotates an env key only with PINCER_VAULT_NEW_KEY", async () => {
    const withKey = { ...env, PINCER_VAULT_KEY: RAW_KEY };
    await (await Vault.open(paths, withKey, { create: true })).set("a", "alpha");
    const vault = await Vault.open(paths, withKey);
    await expect(vault.rotateKey(withKey)).rejects.toThrow(/PINCER_VAULT_NEW_KEY/);
    expect(await vault.rotateKey({ ...withKey, PINCER_VAULT_NEW_KEY: OTHER_KEY })).toEqual({
      keyLocation: "PINCER_VAULT_KEY",
      envChangeNeeded: true,
    });
    expect((await Vault.open(paths, { ...env, PINCER_VAULT_KEY: OTHER_KEY })).get("a")).toBe("alpha");
  });

  it("rejects bad names and empty values", async () => {
    const vault = await Vault.open(paths, env, { create: true });
    await expect(vault.set("../etc", "x")).rejects.toThrow(/not a secret name/);
    await expect(vault.set("ok", "")).rejects.toThrow(/is empty/);
    expect(() => vault.get("nope")).toThrow(/no secret "nope"/);
  });
});

describe("vault SecretRefs in pincer.json", () => {
  it("resolve at load and are redacted wherever the config is shown", async () => {
    await (await Vault.open(paths, env, { create: true })).set("tg", "123456:telegram-token");
    const file = paths.configPath;
    writeFileSync(file, JSON.stringify({ gateway: { auth: { mode: "token", token: { source: "vault", id: "tg" } } } }));
    const snapshot = await loadConfig(file, env);
    expect(snapshot.config.gateway.auth.token).toBe("123456:telegram-token");
    expect(snapshot.secretPaths).toEqual(["gateway.auth.token"]);
    expect(JSON.stringify(redactSnapshot(snapshot))).not.toContain("telegram-token");
  });

  it("a wrong vault key fails the load naming the config path and the key", async () => {
    await (await Vault.open(paths, { ...env, PINCER_VAULT_KEY: RAW_KEY }, { create: true })).set("tg", "v");
    writeFileSync(paths.configPath, JSON.stringify({ gateway: { auth: { token: { source: "vault", id: "tg" } } } }));
    const err = await loadConfig(paths.configPath, { ...env, PINCER_VAULT_KEY: OTHER_KEY }).catch((e) => e);
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toMatch(/gateway\.auth\.token: vault secret "tg": wrong vault key/);
    writeFileSync(paths.configPath, JSON.stringify({ gateway: { auth: { token: { source: "vault", id: "nope" } } } }));
    const missing = await loadConfig(paths.configPath, { ...env, PINCER_VAULT_KEY: RAW_KEY }).catch((e) => e);
    expect(missing.message).toMatch(/gateway\.auth\.token: vault secret "nope": the vault has no secret "nope"/);
  });
});
