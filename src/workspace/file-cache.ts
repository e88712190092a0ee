import { readFile, stat } from "node:fs/promises";

/**
 * Workspace files (AGENTS.md, SOUL.md …) read for every prompt, kept by path. A file is looked at again
 * (one `stat`: mtime, size, inode) at most once per CHECK_INTERVAL_MS and re-read only when that changed,
 * so a turn costs no file system calls at all most of the time, and an edit shows up in the prompt
 * within CHECK_INTERVAL_MS.
 */

/** How stale a prompt's workspace file may be: an edit made mid-conversation lands by the next turn or so. */
export const WORKSPACE_FILE_CHECK_INTERVAL_MS = 1_500;
/** Paths remembered; an agent has seven bootstrap files, a gateway a handful of agents. */
const MAX_CACHED_FILES = 512;

interface Cached {
  /** Undefined: the file did not exist (or was not readable) when last looked at. */
  content: string | undefined;
  stamp: string;
  checkedAt: number;
}

export interface WorkspaceFileReader {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  read(path: string): Promise<string | undefined>;
}

export class WorkspaceFileCache implements WorkspaceFileReader {
  private readonly files = new Map<string, Cached>();

  constructor(
    private readonly checkIntervalMs = WORKSPACE_FILE_CHECK_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async read(path: string): Promise<string | undefined> {
    const at = this.now();
    const hit = this.files.get(path);
    if (hit && at - hit.checkedAt < this.checkIntervalMs) return hit.content;
    const st = await stat(path).catch(() => undefined);
    const stamp = st?.isFile() ? `${st.mtimeMs}:${st.size}:${st.ino}` : "absent";
    if (hit && hit.stamp === stamp) {
      hit.checkedAt = at;
      return hit.content;
    }
    const content = stamp === "absent" ? undefined : await readFile(path, "utf8").catch(() => undefined);
    if (!hit && this.files.size >= MAX_CACHED_FILES) this.files.delete(this.files.keys().next().value as string);
    this.files.set(path, { content, stamp, checkedAt: at });
    return content;
  }
}
