import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { WORKSPACE_TEMPLATES } from "./templates.js";

export interface EnsureWorkspaceResult {
  dir: string;
  /** Template files written now. */
  created: string[];
  /** Template files that were already there (left untouched). */
  kept: string[];
}

/** Workspaces hold private notes: owner only. */
const WORKSPACE_DIR_MODE = 0o700;

/**
 * Creates a workspace folder with its `memory/` and `skills/` folders and writes every template file that is
 * missing. An existing file is never touched: the user's edits win, and running setup again is safe.
 */
export async function ensureWorkspace(dir: string): Promise<EnsureWorkspaceResult> {
  await mkdir(dir, { recursive: true, mode: WORKSPACE_DIR_MODE });
  await mkdir(join(dir, "memory"), { recursive: true, mode: WORKSPACE_DIR_MODE });
  await mkdir(join(dir, "skills"), { recursive: true, mode: WORKSPACE_DIR_MODE });
  const created: string[] = [];
  const kept: string[] = [];
  for (const [name, content] of Object.entries(WORKSPACE_TEMPLATES)) {
    try {
      // "wx" fails when the file exists, so a file created between a check and the write is not clobbered.
      await writeFile(join(dir, name), content, { flag: "wx", mode: 0o600 });
      created.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      kept.push(name);
    }
  }
  return { dir, created, kept };
}
