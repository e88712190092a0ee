import { hkdfSync, randomBytes, scryptSync } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { PincerError } from "../errors.js";

/**
 * Where the vault key comes from: `PINCER_VAULT_KEY` when set, else a key file kept *beside* the state folder
 * (`<state>.vault-key`, or `PINCER_VAULT_KEY_FILE`) so a copy or backup of the state folder alone does not
 * carry the key to its secrets. A key of exactly 32 random bytes (base64 or hex) is stretched with HKDF; any
 * other value is a passphrase and goes through scrypt, which makes guessing it expensive.
 */

export const KEY_BYTES = 32;
/** scrypt cost for passphrases: ~40 ms and 16 MiB once per process and vault (derived keys are cached). */
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

export interface KeySource {
  kind: "env" | "file";
  /** The env variable or the key file, for messages. */
  where: string;
  material: Buffer;
  /** True for a 32-byte random key; false for a passphrase. */
  raw: boolean;
}

export function keyFilePath(stateDir: string, env: NodeJS.ProcessEnv): string {
  return env.PINCER_VAULT_KEY_FILE?.trim() || `${stateDir.replace(/[\\/]+$/, "")}.vault-key`;
}

/** Decodes 32 bytes written as hex or base64; undefined for anything else (then it is a passphrase). */
export function decodeRawKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (b.length === KEY_BYTES) return b;
  }
  return undefined;
}

function fromText(kind: KeySource["kind"], where: string, text: string): KeySource {
  const raw = decodeRawKey(text);
  if (raw) return { kind, where, material: raw, raw: true };
  if (text.trim().length < 12) {
    throw new PincerError(
      "VAULT_KEY_INVALID",
      `${where}: a vault passphrase needs at least 12 characters (or use 32 random bytes as hex/base64: openssl rand -base64 32)`,
    );
  }
  return { kind, where, material: Buffer.from(text.trim(), "utf8"), raw: false };
}

/** The key to use, or undefined when neither the env variable nor the key file exists. */
export async function findKey(stateDir: string, env: NodeJS.ProcessEnv): Promise<KeySource | undefined> {
  const fromEnv = env.PINCER_VAULT_KEY;
  if (fromEnv !== undefined && fromEnv !== "") return fromText("env", "PINCER_VAULT_KEY", fromEnv);
  const file = keyFilePath(stateDir, env);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PincerError("VAULT_KEY_INVALID", `cannot read the vault key file ${file}: ${(err as Error).message}`);
  }
  const mode = (await stat(file)).mode & 0o777;
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new PincerError(
      "VAULT_KEY_INVALID",
      `the vault key file ${file} is readable by others (mode ${mode.toString(8)}): run chmod 600 ${file}`,
    );
  }
  return fromText("file", file, text);
}

/** Creates a fresh random key file (0600); fails if one exists rather than overwrite a key in use. */
export async function createKeyFile(file: string): Promise<KeySource> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    await writeFile(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new PincerError("CONFLICT", `a vault key file already exists at ${file}; it was not replaced`);
    throw err;
  }
  return { kind: "file", where: file, material: key, raw: true };
}

const derived = new Map<string, Buffer>();

/** The AES-256 key for a vault with this salt. */
export function deriveKey(source: KeySource, salt: Buffer): Buffer {
  const cacheKey = `${source.raw}:${source.material.toString("base64")}:${salt.toString("base64")}`;
  let key = derived.get(cacheKey);
  if (!key) {
    key = source.raw
      ? Buffer.from(hkdfSync("sha256", source.material, salt, "pincer-vault-v1", KEY_BYTES))
      : scryptSync(source.material, salt, KEY_BYTES, SCRYPT);
    derived.set(cacheKey, key);
  }
  return key;
}
