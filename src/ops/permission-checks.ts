import { chmod, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { StatePaths } from "../config/paths.js";
import type { Finding } from "./findings.js";
import { keyFilePath } from "./vault-key.js";

/**
 * Who may read the state folder. Credentials, the config (it may hold tokens) and the vault key must be the
 * owner's alone; the state folder itself should be closed to others. Used by doctor and security audit.
 */

/** A deep scan stops after this many entries: a state folder that large is reported, not walked for minutes. */
const MAX_DEEP_ENTRIES = 50_000;

async function modeOf(path: string): Promise<{ mode: number; dir: boolean } | undefined> {
  try {
    const st = await lstat(path);
    if (st.isSymbolicLink()) return undefined;
    return { mode: st.mode & 0o777, dir: st.isDirectory() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

const octal = (mode: number) => mode.toString(8).padStart(3, "0");

function tooOpen(
  id: string,
  severity: Finding["severity"],
  path: string,
  mode: number,
  want: number,
  what: string,
): Finding {
  return {
    id,
    severity,
    title: `${what} is open to other users (mode ${octal(mode)})`,
    detail: path,
    fix: `chmod ${octal(want)} ${path} (or run with --fix)`,
    repair: () => chmod(path, want),
  };
}

/** Every file below `dir` (and `dir` itself) whose group/other bits are set. */
async function openEntries(
  dir: string,
  budget: { left: number },
): Promise<{ path: string; mode: number; dir: boolean }[]> {
  const out: { path: string; mode: number; dir: boolean }[] = [];
  const self = await modeOf(dir);
  if (!self) return out;
  if ((self.mode & 0o077) !== 0) out.push({ path: dir, ...self });
  if (!self.dir) return out;
  for (const name of await readdir(dir)) {
    if (--budget.left < 0) return out;
    out.push(...(await openEntries(join(dir, name), budget)));
  }
  return out;
}

export function permissionChecksFor(
  paths: StatePaths,
  env: NodeJS.ProcessEnv,
  opts: { configHoldsSecrets: boolean; deep?: boolean },
): () => Promise<Finding[]> {
  return async () => {
    if (process.platform === "win32") return [];
    const findings: Finding[] = [];
    const state = await modeOf(paths.stateDir);
    if (state && (state.mode & 0o077) !== 0) {
      findings.push(tooOpen("perm.state-dir", "warn", paths.stateDir, state.mode, 0o700, "the state folder"));
    }
    for (const entry of await openEntries(paths.credentialsDir, { left: MAX_DEEP_ENTRIES })) {
      findings.push(
        tooOpen(
          "perm.credentials",
          "critical",
          entry.path,
          entry.mode,
          entry.dir ? 0o700 : 0o600,
          entry.dir ? "the credentials folder" : "a credentials file",
        ),
      );
    }
    const config = await modeOf(paths.configPath);
    if (config && (config.mode & 0o077) !== 0) {
      findings.push(
        tooOpen(
          "perm.config",
          opts.configHoldsSecrets ? "critical" : "warn",
          paths.configPath,
          config.mode,
          0o600,
          opts.configHoldsSecrets ? "the config file, which holds secrets in clear," : "the config file",
        ),
      );
    }
    const keyFile = keyFilePath(paths.stateDir, env);
    const key = await modeOf(keyFile);
    if (key && (key.mode & 0o077) !== 0)
      findings.push(tooOpen("perm.vault-key", "critical", keyFile, key.mode, 0o600, "the vault key file"));
    if (opts.deep) {
      const budget = { left: MAX_DEEP_ENTRIES };
      const writable = (await openEntries(paths.stateDir, budget)).filter((e) => (e.mode & 0o002) !== 0);
      for (const e of writable) {
        findings.push({
          id: "perm.world-writable",
          severity: "critical",
          title: `${e.dir ? "a folder" : "a file"} in the state folder is writable by anyone (mode ${octal(e.mode)})`,
          detail: e.path,
          fix: `chmod o-w ${e.path} (or run with --fix)`,
          repair: () => chmod(e.path, e.mode & ~0o002),
        });
      }
      if (budget.left < 0) {
        findings.push({
          id: "perm.scan-truncated",
          severity: "info",
          title: `the state folder has more than ${MAX_DEEP_ENTRIES} entries; the deep permission scan stopped there`,
        });
      }
    }
    return findings;
  };
}
