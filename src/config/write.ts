import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/** Config files hold secrets: owner read/write only. */
export const CONFIG_FILE_MODE = 0o600;
/** State folders hold credentials and transcripts: owner only. */
export const STATE_DIR_MODE = 0o700;

/**
 * Replaces `file` with `data` so that a reader (or a crash) sees either the old or the new content, never a
 * mix: write a temp file in the same folder, fsync it, rename it over the target, fsync the folder so the
 * rename itself survives a power loss. A failure removes the temp file.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = CONFIG_FILE_MODE): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, "wx", mode);
    await handle.writeFile(data);
    // The mode given to open() is filtered by the umask; set it exactly.
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, file);
  } catch (err) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch (err) {
    // Some filesystems (and Windows) refuse fsync on a directory; the rename has happened regardless.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw err;
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Serializes a config document: pretty JSON, which every JSON5 reader (and every editor) reads. */
export function serializeConfig(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Writes config text atomically with mode 0600, creating its folder (0700) when needed. */
export async function writeConfigFile(file: string, raw: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: STATE_DIR_MODE });
  // A config kept in a dotfiles repo and symlinked in stays a symlink: replace the file it points to.
  const target = await fs.realpath(file).catch(() => file);
  await writeFileAtomic(target, raw, CONFIG_FILE_MODE);
}
