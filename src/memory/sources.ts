import { lstat, readdir } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { expandHome } from "../config/paths.js";

/**
 * Which files are memory: MEMORY.md (or memory.md) at the workspace root, every Markdown file under memory/,
 * and `memorySearch.extraPaths` (files or folders). Symlinks are skipped (a link could pull any file of the
 * host into the agent's searchable memory), and so are hidden folders.
 */

export interface MemoryFile {
  /** The index key and what tools show: workspace-relative with "/", or absolute for extra paths. */
  path: string;
  abs: string;
  size: number;
  mtimeMs: number;
  source: "memory" | "sessions";
}

/** A safety stop for a memory/ folder that someone filled with a whole document dump. */
const MAX_FILES = 20_000;
const MAX_DEPTH = 8;

export async function listMemoryFiles(workspace: string, extraPaths: string[]): Promise<MemoryFile[]> {
  const out: MemoryFile[] = [];
  const seen = new Set<string>();
  const add = (abs: string, size: number, mtimeMs: number) => {
    if (seen.has(abs) || out.length >= MAX_FILES) return;
    seen.add(abs);
    const rel = relative(workspace, abs);
    const inside = rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
    out.push({
      path: inside ? rel.split(sep).join("/") : abs,
      abs,
      size,
      mtimeMs: Math.floor(mtimeMs),
      source: "memory",
    });
  };
  for (const name of ["MEMORY.md", "memory.md"]) {
    const abs = join(workspace, name);
    const st = await lstat(abs).catch(() => undefined);
    if (st?.isFile()) add(abs, st.size, st.mtimeMs);
  }
  await walk(join(workspace, "memory"), 0, add);
  for (const extra of extraPaths) {
    const abs = resolve(workspace, expandHome(extra));
    const st = await lstat(abs).catch(() => undefined);
    if (st?.isFile() && abs.endsWith(".md")) add(abs, st.size, st.mtimeMs);
    else if (st?.isDirectory()) await walk(abs, 0, add);
  }
  return out;
}

async function walk(dir: string, depth: number, add: (abs: string, size: number, mtimeMs: number) => void) {
  if (depth > MAX_DEPTH) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const abs = join(dir, e.name);
    if (e.isDirectory()) await walk(abs, depth + 1, add);
    else if (e.isFile() && e.name.toLowerCase().endsWith(".md")) {
      const st = await lstat(abs).catch(() => undefined);
      if (st?.isFile()) add(abs, st.size, st.mtimeMs);
    }
  }
}

/** True when `path` (as memory_get receives it) names one of the memory files. */
export function isMemoryPath(path: string, files: MemoryFile[]): MemoryFile | undefined {
  const normalized = path.replace(/\\/g, "/").replace(/^\.\//, "");
  return files.find((f) => f.path === normalized || f.abs === path);
}
