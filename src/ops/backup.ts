import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, relative, sep } from "node:path";
import { createGzip } from "node:zlib";
import { z } from "zod";
import { PINCER_VERSION } from "../version.js";
import { TarWriter } from "./tar.js";

/**
 * `pincer backup create|verify|restore|list`. An archive is a gzipped tar of the state folder, taken while the
 * gateway runs: SQLite files through SQLite's online backup API (a consistent copy, never a half-written page),
 * append-only JSONL files up to their last complete line, everything else as it is on disk (whole files are
 * always replaced atomically). A manifest with every file's SHA-256 is the last entry, and a `.sha256` file
 * beside the archive records the archive's own hash, so truncation and tampering are both caught. Reading an
 * archive back (verify, restore) is in backup-restore.ts.
 */

export const MANIFEST_PATH = "pincer-backup.json";
export const STATE_PREFIX = "state/";
const ARCHIVE_PATTERN = /^pincer-backup-.+\.tar\.gz$/;
/** Top-level folders left out: rebuildable or machine-specific (logs unless asked for). */
const SKIP_TOP = new Set(["sandboxes", "browser"]);
const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

export const ManifestSchema = z.strictObject({
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
