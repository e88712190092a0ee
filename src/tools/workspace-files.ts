import { chown, mkdir, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { PincerError } from "../errors.js";
import type { WorkspaceRoot } from "./workspace-path.js";

/** What the file tools of one session may do with its workspace. */
export interface FsToolEnv {
  workspace: WorkspaceRoot;
  /** False when the session's sandbox mounts the workspace read-only (workspaceAccess "ro"). */
  writable: boolean;
}

export function assertWritable(env: FsToolEnv, tool: string): void {
  if (!env.writable) {
    throw new PincerError(
      "FORBIDDEN",
      `${tool} is not available: this session's sandbox sees the workspace read-only (agents.defaults.sandbox.workspaceAccess is ro)`,
    );
  }
}

/** Largest file the file tools read or write, in bytes: beyond this use exec with head/tail/grep. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Writes a file inside the workspace, creating folders. When the gateway runs as root and the folder belongs
 * to someone else (a sandbox uid), the new file gets the folder's owner so sandboxed commands can still edit it.
 */
export async function writeWorkspaceFile(abs: string, content: string): Promise<void> {
  if (Buffer.byteLength(content) > MAX_FILE_BYTES) {
    throw new PincerError("PAYLOAD_TOO_LARGE", `content is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
  }
  const dir = dirname(abs);
  const firstCreated = await mkdir(dir, { recursive: true });
  await writeFile(abs, content);
  if (process.getuid?.() !== 0) return;
  // Folders just created and the file take the owner of the nearest folder that existed before.
  const owner = await stat(firstCreated ? dirname(firstCreated) : dir);
  if (owner.uid === 0) return;
  const created: string[] = [];
  if (firstCreated) for (let d = dir; d.length >= firstCreated.length; d = dirname(d)) created.push(d);
  for (const p of [...created, abs]) await chown(p, owner.uid, owner.gid);
}
