import { lstat, readFile, stat } from "node:fs/promises";
import { BOOTSTRAP_FILES } from "../agent/prompt.js";
import { writeFileAtomic } from "../config/write.js";
import { PincerError } from "../errors.js";
import { resolveWorkspacePath } from "../tools/workspace-path.js";

/**
 * The workspace files an operator may list, read and replace over the gateway (agents.files.*): the bootstrap
 * files plus the optional start-up ones. Only these exact names are accepted, so a name can never address
 * anything else in (or outside) the workspace.
 */
export const AGENT_FILE_NAMES: readonly string[] = [...BOOTSTRAP_FILES, "BOOT.md", "BOOTSTRAP.md"];
/** Files that are normally absent (created only for a purpose). */
const OPTIONAL_FILES = new Set(["BOOT.md", "BOOTSTRAP.md"]);
/** The prompt caps bootstrap files far below this; a bigger body is a mistake, not a workspace file. */
export const MAX_AGENT_FILE_BYTES = 1024 * 1024;

export interface AgentFileEntry {
  name: string;
  path: string;
  missing: boolean;
  expectedAbsent?: boolean;
  size?: number;
  updatedAtMs?: number;
  content?: string;
}

function checkName(name: string): void {
  if (!AGENT_FILE_NAMES.includes(name))
    throw new PincerError(
      "INVALID_REQUEST",
      `"${name}" is not an agent workspace file: use one of ${AGENT_FILE_NAMES.join(", ")}`,
    );
}

async function describe(workspace: string, name: string, withContent: boolean): Promise<AgentFileEntry> {
  const { abs } = await resolveWorkspacePath({ dir: workspace }, name);
  const st = await stat(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (!st) return { name, path: abs, missing: true, ...(OPTIONAL_FILES.has(name) ? { expectedAbsent: true } : {}) };
  if (!st.isFile()) throw new PincerError("INVALID_REQUEST", `${abs} is not a regular file`);
  const entry: AgentFileEntry = { name, path: abs, missing: false, size: st.size, updatedAtMs: Math.floor(st.mtimeMs) };
  if (withContent) {
    if (st.size > MAX_AGENT_FILE_BYTES)
      throw new PincerError(
        "PAYLOAD_TOO_LARGE",
        `${abs} is ${st.size} bytes; agent files over ${MAX_AGENT_FILE_BYTES} bytes are not served — shorten it`,
      );
    entry.content = await readFile(abs, "utf8");
  }
  return entry;
}

export async function listAgentFiles(workspace: string): Promise<AgentFileEntry[]> {
  return Promise.all(AGENT_FILE_NAMES.map((name) => describe(workspace, name, false)));
}

export async function getAgentFile(workspace: string, name: string): Promise<AgentFileEntry> {
  checkName(name);
  return describe(workspace, name, true);
}

/** Replaces a workspace file atomically (a symlinked file is replaced by a regular file, never followed). */
export async function setAgentFile(workspace: string, name: string, content: string): Promise<AgentFileEntry> {
  checkName(name);
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > MAX_AGENT_FILE_BYTES)
    throw new PincerError(
      "PAYLOAD_TOO_LARGE",
      `${name} would be ${bytes} bytes; the limit is ${MAX_AGENT_FILE_BYTES}. Move long material into memory/ notes`,
    );
  const { abs } = await resolveWorkspacePath({ dir: workspace }, name);
  const existing = await lstat(abs).catch(() => undefined);
  if (existing?.isDirectory()) throw new PincerError("INVALID_REQUEST", `${abs} is a folder, not a file`);
  await writeFileAtomic(abs, content, 0o600);
  return describe(workspace, name, true);
}
