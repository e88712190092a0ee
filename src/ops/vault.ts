import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { PincerError } from "../errors.js";
import { createKeyFile, deriveKey, findKey, type KeySource, keyFilePath } from "./vault-key.js";

/**
 * The secrets vault: API keys and channel tokens encrypted at rest with AES-256-GCM in
 * `credentials/vault.json` (0600). Config refers to them as `{ source: "vault", id: "<name>" }`. Each value is
 * sealed with its name as associated data, so a ciphertext moved to another name does not open; a `check`
 * value sealed at creation tells a wrong key apart from a damaged entry.
 */

export const VAULT_FILE = "vault.json";
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CHECK_TEXT = "pincer-vault-check";
const IV_BYTES = 12;
const SALT_BYTES = 16;
/** A new key waits here (beside the key file) while a rotation re-encrypts the vault. */
const NEXT_SUFFIX = ".next";

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const SealedSchema = z.strictObject({ iv: b64, tag: b64, data: b64 });
type Sealed = z.infer<typeof SealedSchema>;

const VaultFileSchema = z.strictObject({
  version: z.literal(1),
  salt: b64,
  check: SealedSchema,
  secrets: z.record(
    z.string().regex(SECRET_NAME),
    SealedSchema.extend({ createdAt: z.string(), updatedAt: z.string() }),
  ),
});
type VaultFile = z.infer<typeof VaultFileSchema>;

export interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export const vaultPath = (credentialsDir: string) => join(credentialsDir, VAULT_FILE);

function seal(key: Buffer, name: string, plain: string): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(name, "utf8"));
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return { iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
}

/** The plain text, or undefined when the key is wrong or the entry was altered (GCM cannot tell which). */
function unseal(key: Buffer, name: string, sealed: Sealed): string | undefined {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
    decipher.setAAD(Buffer.from(name, "utf8"));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

export class Vault {
  private constructor(
    readonly file: string,
    private source: KeySource,
    private doc: VaultFile,
  ) {}

  /** Where the key came from (env variable or key file), for messages. */
  get keyLocation(): string {
    return this.source.where;
  }

  /**
   * Opens the vault of a state folder. With `create`, a missing vault (and, without PINCER_VAULT_KEY, a
   * missing key file) is created; otherwise a missing one is NOT_FOUND. A wrong key is VAULT_KEY_INVALID.
   */
  static async open(
    dirs: { stateDir: string; credentialsDir: string },
    env: NodeJS.ProcessEnv,
    opts: { create?: boolean } = {},
  ): Promise<Vault> {
    const file = vaultPath(dirs.credentialsDir);
    const existing = await readVaultFile(file);
    let source = await findKey(dirs.stateDir, env);
    if (!existing) {
      if (!opts.create) {
        throw new PincerError(
          "NOT_FOUND",
          `no secrets vault at ${file}: add a secret first with pincer secrets set <name>`,
        );
      }
      source ??= await createKeyFile(keyFilePath(dirs.stateDir, env));
      const salt = randomBytes(SALT_BYTES);
      const doc: VaultFile = {
        version: 1,
        salt: salt.toString("base64"),
        check: seal(deriveKey(source, salt), "", CHECK_TEXT),
        secrets: {},
      };
      return new Vault(file, source, doc);
    }
    if (!source) {
      throw new PincerError(
        "VAULT_KEY_INVALID",
        `the secrets vault ${file} needs its key: set PINCER_VAULT_KEY or restore the key file ${keyFilePath(dirs.stateDir, env)}`,
      );
    }
    const vault = new Vault(file, source, existing);
    if (!vault.opens() && source.kind === "file") {
      // A key rotation that stopped between re-encrypting and swapping the key file left the new key beside it.
      const pending = await findKey(dirs.stateDir, { ...env, PINCER_VAULT_KEY_FILE: `${source.where}${NEXT_SUFFIX}` });
      if (pending) {
        const resumed = new Vault(file, pending, existing);
        if (resumed.opens()) {
          await rename(pending.where, source.where);
          return new Vault(file, { ...pending, where: source.where }, existing);
        }
      }
    }
    vault.assertKey();
    return vault;
  }

  /**
   * Re-encrypts the vault under a new key. With a key file, a fresh random key replaces it (written beside it
   * first, so an interrupted rotation resumes at the next open). With PINCER_VAULT_KEY, the new key must come
   * in PINCER_VAULT_NEW_KEY and the caller must switch PINCER_VAULT_KEY to it afterwards.
   */
  async rotateKey(env: NodeJS.ProcessEnv): Promise<{ keyLocation: string; envChangeNeeded: boolean }> {
    if (this.source.kind === "env") {
      const text = env.PINCER_VAULT_NEW_KEY;
      if (!text) {
        throw new PincerError(
          "INVALID_REQUEST",
          "the vault key comes from PINCER_VAULT_KEY: put the new key in PINCER_VAULT_NEW_KEY to rotate it (openssl rand -base64 32)",
        );
      }
      const next = await findKey("", { PINCER_VAULT_KEY: text });
      await this.rekey(next as KeySource);
      return { keyLocation: "PINCER_VAULT_KEY", envChangeNeeded: true };
    }
    const keyFile = this.source.where;
    const pendingFile = `${keyFile}${NEXT_SUFFIX}`;
    await rm(pendingFile, { force: true });
    const next = await createKeyFile(pendingFile);
    await this.rekey(next);
    await rename(pendingFile, keyFile);
    this.source = { ...next, where: keyFile };
    return { keyLocation: keyFile, envChangeNeeded: false };
  }

  private key(): Buffer {
    return deriveKey(this.source, Buffer.from(this.doc.salt, "base64"));
  }

  private opens(): boolean {
    return unseal(this.key(), "", this.doc.check) === CHECK_TEXT;
  }

  private assertKey(): void {
    if (!this.opens()) {
      throw new PincerError(
        "VAULT_KEY_INVALID",
        `wrong vault key: ${this.source.where} does not open ${this.file}. Use the key the vault was written with`,
      );
    }
  }

  list(): SecretInfo[] {
    return Object.entries(this.doc.secrets)
      .map(([name, s]) => ({ name, createdAt: s.createdAt, updatedAt: s.updatedAt }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  has(name: string): boolean {
    return Object.hasOwn(this.doc.secrets, name);
  }

  get(name: string): string {
    const sealed = this.doc.secrets[name];
    if (!sealed || !Object.hasOwn(this.doc.secrets, name)) {
      throw new PincerError("NOT_FOUND", `the vault has no secret "${name}" (pincer secrets list shows what it holds)`);
    }
    const plain = unseal(this.key(), name, sealed);
    if (plain === undefined) {
      throw new PincerError(
        "VAULT_CORRUPT",
        `vault secret "${name}" in ${this.file} was altered or damaged; set it again`,
      );
    }
    return plain;
  }

  async set(name: string, value: string, now = new Date()): Promise<void> {
    if (!SECRET_NAME.test(name)) {
      throw new PincerError(
        "INVALID_REQUEST",
        `"${name}" is not a secret name: letters, digits, . _ and -, at most 128`,
      );
    }
    if (value === "") throw new PincerError("INVALID_REQUEST", `the value for secret "${name}" is empty`);
    const createdAt = this.doc.secrets[name]?.createdAt ?? now.toISOString();
    this.doc.secrets[name] = { ...seal(this.key(), name, value), createdAt, updatedAt: now.toISOString() };
    await this.save();
  }

  async remove(name: string): Promise<boolean> {
    if (!this.has(name)) return false;
    delete this.doc.secrets[name];
    await this.save();
    return true;
  }

  /**
   * Re-encrypts everything under a new key (and a new salt). Every value is decrypted first, so a damaged
   * entry stops the rotation before anything is written.
   */
  private async rekey(next: KeySource): Promise<void> {
    const plain = Object.keys(this.doc.secrets).map((name) => [name, this.get(name)] as const);
    const salt = randomBytes(SALT_BYTES);
    this.source = next;
    const key = deriveKey(next, salt);
    const secrets: VaultFile["secrets"] = {};
    for (const [name, value] of plain) {
      const old = this.doc.secrets[name] as VaultFile["secrets"][string];
      secrets[name] = { ...seal(key, name, value), createdAt: old.createdAt, updatedAt: old.updatedAt };
    }
    this.doc = { version: 1, salt: salt.toString("base64"), check: seal(key, "", CHECK_TEXT), secrets };
    await this.save();
  }

  private save(): Promise<void> {
    return writeAtomic(this.file, `${JSON.stringify(this.doc, null, 2)}\n`);
  }
}

async function readVaultFile(file: string): Promise<VaultFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PincerError("VAULT_CORRUPT", `cannot read the secrets vault ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PincerError("VAULT_CORRUPT", `the secrets vault ${file} is not valid JSON; restore it from a backup`);
  }
  const parsed = VaultFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PincerError(
      "VAULT_CORRUPT",
      `the secrets vault ${file} is damaged (${issue?.path.join(".") || "top level"}: ${issue?.message}); restore it from a backup`,
    );
  }
  return parsed.data;
}

/** The value of one vault secret, for SecretRef resolution at config load (src/config/secret-refs.ts). */
export async function readVaultSecret(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const { resolveStatePaths } = await import("../config/paths.js");
  const vault = await Vault.open(resolveStatePaths(env), env);
  return vault.get(name);
}
