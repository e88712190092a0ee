import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, sep } from "node:path";
import { createGunzip, createGzip } from "node:zlib";
import { z } from "zod";
import { PincerError } from "../errors.js";
import { PINCER_VERSION } from "../version.js";
import { GATEWAY_LOCK_FILE } from "./gateway-lock.js";
import { readTar, TarWriter } from "./tar.js";

/**
 * `pincer backup create|verify|restore|list`. An archive is a gzipped tar of the state folder, taken while the
 * gateway runs: SQLite files through SQLite's online backup API (a consistent copy, never a half-written page),
 * append-only JSONL files up to their last complete line, everything else as it is on disk (whole files are
 * always replaced atomically). A manifest with every file's SHA-256 is the last entry, and a `.sha256` file
 * beside the archive records the archive's own hash, so truncation and tampering are both caught.
 */

export const MANIFEST_PATH = "pincer-backup.json";
const STATE_PREFIX = "state/";
const ARCHIVE_PATTERN = /^pincer-backup-.+\.tar\.gz$/;
/** Top-level folders left out: rebuildable or machine-specific (logs unless asked for). */
const SKIP_TOP = new Set(["sandboxes", "browser", GATEWAY_LOCK_FILE]);
const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

const ManifestSchema = z.strictObject({
  format: z.literal("pincer-backup"),
  version: z.literal(1),
  createdAt: z.string(),
  pincerVersion: z.string(),
  files: z.array(
    z.strictObject({ path: z.string(), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
});
export type BackupManifest = z.infer<typeof ManifestSchema>;

export const defaultBackupDir = (stateDir: string) => `${stateDir.replace(/[\\/]+$/, "")}.backups`;

function skipName(name: string): boolean {
  return (
    name.endsWith(".tmp") ||
    name.endsWith("-wal") ||
    name.endsWith("-shm") ||
    name.endsWith("-journal") ||
    name.endsWith(".partial")
  );
}

async function listStateFiles(stateDir: string, opts: { includeLogs: boolean; exclude: string[] }): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const abs = join(dir, e.name);
      const rel = relative(stateDir, abs);
      const top = rel.split(sep)[0] as string;
      if (dir === stateDir && (SKIP_TOP.has(top) || (top === "logs" && !opts.includeLogs))) continue;
      if (opts.exclude.some((x) => abs === x || abs.startsWith(`${x}${sep}`))) continue;
      if (skipName(e.name)) continue;
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(rel);
    }
  };
  await walk(stateDir);
  return out.sort();
}

/** The slice of better-sqlite3 a backup needs (the package ships no types). */
interface BackupDb {
  backup(destination: string): Promise<unknown>;
  close(): void;
}

/** A consistent copy of a live SQLite database through SQLite's online backup API. */
async function sqliteOnlineBackup(source: string, destination: string): Promise<void> {
  // CommonJS native module, loaded only when a backup meets an SQLite file.
  const Database = createRequire(import.meta.url)("better-sqlite3") as new (
    file: string,
    opts: { fileMustExist: boolean; timeout: number },
  ) => BackupDb;
  const db = new Database(source, { fileMustExist: true, timeout: 5_000 });
  try {
    await db.backup(destination);
  } finally {
    db.close();
  }
}

async function isSqlite(file: string): Promise<boolean> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(16);
    await fh.read(buf, 0, 16, 0);
    return buf.equals(SQLITE_MAGIC);
  } finally {
    await fh.close();
  }
}

/** Bytes of an append-only text file up to (and including) its last newline. */
async function completeLinesSize(file: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const fh = await open(file, "r");
  try {
    const window = Math.min(size, 1024 * 1024);
    const buf = Buffer.alloc(window);
    await fh.read(buf, 0, window, size - window);
    const last = buf.lastIndexOf(0x0a);
    return last < 0 ? (window === size ? 0 : size) : size - window + last + 1;
  } finally {
    await fh.close();
  }
}

async function* hashing(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>): AsyncIterable<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

export interface CreateBackupResult {
  file: string;
  files: number;
  bytes: number;
  sha256: string;
}

export async function createBackup(
  paths: { stateDir: string; configPath: string },
  opts: { dir?: string; includeLogs?: boolean; now?: Date } = {},
): Promise<CreateBackupResult> {
  const dir = opts.dir ?? defaultBackupDir(paths.stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = (opts.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
  const file = join(dir, `pincer-backup-${stamp}.tar.gz`);
  const partial = `${file}.partial`;
  const scratch = join(tmpdir(), `pincer-backup-${randomUUID()}`);
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  const gzip = createGzip();
  const archiveHash = createHash("sha256");
  gzip.on("data", (chunk: Buffer) => archiveHash.update(chunk));
  const out = createWriteStream(partial, { mode: 0o600 });
  const piped = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
    gzip.on("error", reject);
  });
  gzip.pipe(out);
  const tar = new TarWriter(gzip);
  const manifest: BackupManifest = {
    format: "pincer-backup",
    version: 1,
    createdAt: new Date().toISOString(),
    pincerVersion: PINCER_VERSION,
    files: [],
  };
  try {
    const rels = await listStateFiles(paths.stateDir, { includeLogs: opts.includeLogs ?? false, exclude: [dir] });
    for (const rel of rels) {
      const abs = join(paths.stateDir, rel);
      const st = await stat(abs).catch(() => undefined);
      if (!st?.isFile()) continue; // removed since it was listed
      let source = abs;
      let size = st.size;
      if (size >= 16 && (await isSqlite(abs))) {
        source = join(scratch, `${manifest.files.length}.sqlite`);
        await sqliteOnlineBackup(abs, source);
        size = (await stat(source)).size;
      } else if (rel.endsWith(".jsonl")) {
        size = await completeLinesSize(abs, size);
      }
      const hash = createHash("sha256");
      const body = size === 0 ? Buffer.alloc(0) : hashing(createReadStream(source, { start: 0, end: size - 1 }), hash);
      if (size === 0) hash.update("");
      await tar.add(
        { path: `${STATE_PREFIX}${rel.split(sep).join("/")}`, size, mode: st.mode & 0o777, mtimeMs: st.mtimeMs },
        body,
      );
      manifest.files.push({ path: rel.split(sep).join("/"), size, sha256: hash.digest("hex") });
      if (source !== abs) await rm(source, { force: true });
    }
    const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8");
    await tar.add({ path: MANIFEST_PATH, size: body.length, mode: 0o600, mtimeMs: Date.now() }, body);
    await tar.finish();
    await piped;
  } catch (err) {
    gzip.destroy();
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const sha256 = archiveHash.digest("hex");
  await rename(partial, file);
  await writeFile(`${file}.sha256`, `${sha256}  ${basename(file)}\n`, { mode: 0o600 });
  return { file, files: manifest.files.length, bytes: (await stat(file)).size, sha256 };
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
  manifest?: BackupManifest;
}

type EntryWriter = (path: string, mode: number) => { chunk(b: Buffer): Promise<void>; end(): Promise<void> };

/** Reads the whole archive, checking every file against the manifest; `write` also extracts what it reads. */
async function readArchive(file: string, write?: EntryWriter): Promise<VerifyResult> {
  const problems: string[] = [];
  const seen = new Map<string, { size: number; sha256: string }>();
  let manifestText = "";
  try {
    await readTar(createReadStream(file).pipe(createGunzip()), (h) => {
      if (h.path === MANIFEST_PATH) {
        const parts: Buffer[] = [];
        return {
          chunk: (b) => void parts.push(Buffer.from(b)),
          end: () => {
            manifestText = Buffer.concat(parts).toString("utf8");
          },
        };
      }
      if (!h.path.startsWith(STATE_PREFIX) || h.path.split("/").includes("..")) {
        problems.push(`unexpected entry ${h.path}`);
        return undefined;
      }
      const rel = h.path.slice(STATE_PREFIX.length);
      const hash = createHash("sha256");
      const out = write?.(rel, h.mode);
      let size = 0;
      return {
        chunk: async (b) => {
          hash.update(b);
          size += b.length;
          await out?.chunk(b);
        },
        end: async () => {
          seen.set(rel, { size, sha256: hash.digest("hex") });
          await out?.end();
        },
      };
    });
  } catch (err) {
    const message = (err as Error).message;
    const truncated =
      /truncated|unexpected end of file/i.test(message) || (err as NodeJS.ErrnoException).code === "Z_BUF_ERROR";
    return {
      ok: false,
      problems: [
        ...problems,
        truncated ? `the archive is truncated (${message})` : `the archive is damaged (${message})`,
      ],
    };
  }
  if (!manifestText)
    return {
      ok: false,
      problems: [...problems, `no ${MANIFEST_PATH}: the archive is incomplete or not a Pincer backup`],
    };
  let manifest: BackupManifest;
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(manifestText));
    if (!parsed.success) return { ok: false, problems: [...problems, `${MANIFEST_PATH} is not a valid manifest`] };
    manifest = parsed.data;
  } catch {
    return { ok: false, problems: [...problems, `${MANIFEST_PATH} is not valid JSON`] };
  }
  for (const f of manifest.files) {
    const got = seen.get(f.path);
    if (!got) problems.push(`${f.path} is listed in the manifest but missing from the archive`);
    else if (got.sha256 !== f.sha256 || got.size !== f.size)
      problems.push(`${f.path} does not match its checksum (altered)`);
    seen.delete(f.path);
  }
  for (const extra of seen.keys()) problems.push(`${extra} is in the archive but not in the manifest (added)`);
  return { ok: problems.length === 0, problems, manifest };
}

export async function verifyBackup(file: string): Promise<VerifyResult> {
  const sidecar = await readFile(`${file}.sha256`, "utf8").catch(() => undefined);
  if (sidecar !== undefined) {
    const expected = sidecar.trim().split(/\s+/)[0];
    const actual = await fileSha256(file);
    if (expected !== actual) {
      const result = await readArchive(file);
      return {
        ...result,
        ok: false,
        problems: [
          `the archive's bytes differ from the checksum recorded when it was made (${basename(file)}.sha256)`,
          ...result.problems,
        ],
      };
    }
  }
  return readArchive(file);
}

export interface RestoreResult {
  target: string;
  files: number;
  /** Where the folder that was there before now is (with --force). */
  previous?: string;
}

async function isEmptyDir(dir: string): Promise<boolean | undefined> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Restores an archive into `target` (a fresh folder, or with `force` over an existing one, which is kept aside).
 * Refuses while a gateway runs on `target`: `assertStopped` is called before anything is written and again
 * right before the swap.
 */
export async function restoreBackup(
  file: string,
  target: string,
  opts: { force?: boolean; assertStopped: () => Promise<void> },
): Promise<RestoreResult> {
  await opts.assertStopped();
  const existing = await isEmptyDir(target);
  if (existing === false && !opts.force) {
    throw new PincerError(
      "CONFLICT",
      `${target} is not empty: restore into a fresh folder (--to), or pass --force to set the current one aside`,
    );
  }
  const verified = await verifyBackup(file);
  if (!verified.ok) {
    throw new PincerError(
      "BACKUP_INVALID",
      `${file} failed verification, nothing was restored:\n  ${verified.problems.join("\n  ")}`,
    );
  }
  const staging = `${target.replace(/[\\/]+$/, "")}.restoring-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    const extracted = await readArchive(file, (rel, mode) => {
      const dest = join(staging, rel);
      let stream: ReturnType<typeof createWriteStream> | undefined;
      const ready = mkdir(dirname(dest), { recursive: true, mode: 0o700 }).then(() => {
        stream = createWriteStream(dest, { mode: mode & 0o777 || 0o600 });
      });
      return {
        chunk: async (b) => {
          await ready;
          if (!stream?.write(b)) await new Promise<void>((r) => stream?.once("drain", () => r()));
        },
        end: async () => {
          await ready;
          await new Promise<void>((resolve, reject) =>
            stream?.end((err?: Error | null) => (err ? reject(err) : resolve())),
          );
        },
      };
    });
    if (!extracted.ok)
      throw new PincerError(
        "BACKUP_INVALID",
        `${file} changed while it was restored: ${extracted.problems.join("; ")}`,
      );
    await opts.assertStopped();
    let previous: string | undefined;
    if (existing !== undefined) {
      previous = `${target.replace(/[\\/]+$/, "")}.pre-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      await rename(target, previous);
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(staging, target);
    return { target, files: verified.manifest?.files.length ?? 0, ...(previous ? { previous } : {}) };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

export interface BackupListing {
  file: string;
  bytes: number;
  createdAt: string;
  checksum: boolean;
}

export async function listBackups(dir: string): Promise<BackupListing[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: BackupListing[] = [];
  for (const name of names.filter((n) => ARCHIVE_PATTERN.test(n)).sort()) {
    const st = await stat(join(dir, name));
    out.push({
      file: join(dir, name),
      bytes: st.size,
      createdAt: st.mtime.toISOString(),
      checksum: names.includes(`${name}.sha256`),
    });
  }
  return out;
}

/** Deletes all but the newest `keep` archives (and their checksum files). */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const all = await listBackups(dir);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const b of old) {
    await rm(b.file, { force: true });
    await rm(`${b.file}.sha256`, { force: true });
  }
  return old.map((b) => b.file);
}
