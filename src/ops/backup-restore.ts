import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createGunzip } from "node:zlib";
import { PincerError } from "../errors.js";
import { type BackupManifest, MANIFEST_PATH, ManifestSchema, STATE_PREFIX } from "./backup.js";
import { readTar } from "./tar.js";

/**
 * Reading backups back: `verify` walks a whole archive and checks every file against the manifest (and the
 * archive against its recorded checksum); `restore` verifies first, extracts into a staging folder beside the
 * target, verifies what it extracted, and only then swaps it into place.
 */

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
