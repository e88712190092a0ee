import { lstat, mkdir, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { PincerError } from "../errors.js";

/**
 * Confines a path the model gives to a workspace folder. Refused: `..` that climbs out, absolute paths
 * elsewhere, and symlinks (anywhere on the path) whose target is outside. The check resolves the deepest
 * part of the path that exists, so a new file under a symlinked folder that points out is refused too.
 */

export interface WorkspaceRoot {
  /** Real host folder. */
  dir: string;
  /**
   * The folder as the agent sees it inside a sandbox (e.g. /workspace): absolute paths under it map to `dir`,
   * so a path printed by a sandboxed command can be handed to read/write as is.
   */
  virtualDir?: string;
}

export interface ResolvedPath {
  /** Absolute host path inside the workspace. */
  abs: string;
  /** Path relative to the workspace, for messages ("." for the root). */
  rel: string;
}

export async function resolveWorkspacePath(root: WorkspaceRoot, input: string): Promise<ResolvedPath> {
  if (input.length === 0) throw new PincerError("INVALID_REQUEST", "path is empty: give a path inside the workspace");
  if (input.includes("\0")) throw new PincerError("INVALID_REQUEST", "path contains a NUL byte");
  await mkdir(root.dir, { recursive: true });
  const realRoot = await realpath(root.dir);
  let candidate: string;
  if (isAbsolute(input)) {
    const virtual = root.virtualDir ? relative(root.virtualDir, input) : undefined;
    if (virtual !== undefined && isInside(virtual)) candidate = join(realRoot, virtual);
    else {
      const viaHost = relative(realRoot, resolve(input));
      const viaConfigured = relative(resolve(root.dir), resolve(input));
      if (isInside(viaHost)) candidate = join(realRoot, viaHost);
      else if (isInside(viaConfigured)) candidate = join(realRoot, viaConfigured);
      else throw outside(input, root);
    }
  } else candidate = resolve(realRoot, input);
  const rel = relative(realRoot, candidate);
  if (!isInside(rel)) throw outside(input, root);

  // Walk up to the deepest existing ancestor and make sure its real location is still inside.
  let probe = candidate;
  for (;;) {
    const exists = await lstat(probe).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT" || err.code === "ENOTDIR") return false;
        throw err;
      },
    );
    if (exists) break;
    const parent = dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  const real = await realpath(probe).catch(() => probe);
  if (!isInside(relative(realRoot, real))) {
    throw new PincerError(
      "FORBIDDEN",
      `path "${input}" goes through a symlink that points outside the workspace; use a path inside ${displayRoot(root)}`,
    );
  }
  return { abs: candidate, rel: rel === "" ? "." : rel };
}

function isInside(rel: string): boolean {
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function displayRoot(root: WorkspaceRoot): string {
  return root.virtualDir ?? root.dir;
}

function outside(input: string, root: WorkspaceRoot): PincerError {
  return new PincerError(
    "FORBIDDEN",
    `path "${input}" is outside the workspace; use a path relative to it (the workspace is ${displayRoot(root)})`,
  );
}
