import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";
import { defaultAgent, findAgent } from "../agent/agents.js";
import { expandHome, type StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { PincerError } from "../errors.js";
import { SKILL_NAME } from "./frontmatter.js";
import { managedSkillsDir, readSkill } from "./load.js";
import { formatScanReport, type ScanReport, scanSkill } from "./scanner.js";

/**
 * `pincer skills install <folder | archive | git URL>`: stage the skill in a hidden folder next to its
 * destination, check that it is a valid skill, scan it, and only then move it into place. Archives are
 * listed before extraction and refused if any member is absolute, climbs out with `..`, or is a link;
 * skills whose scan finds high-severity patterns are refused unless the operator allows unsafe installs.
 */

const run = promisify(execFile);
/** A clone or an extraction that takes longer than this is stuck (or hostile). */
const EXTERNAL_TIMEOUT_MS = 120_000;
const ARCHIVE = /\.(?:tar\.gz|tgz|tar|tar\.bz2|tbz2|tar\.xz|txz)$/i;

export interface InstallOptions {
  source: string;
  config: PincerConfig;
  paths: StatePaths;
  env: NodeJS.ProcessEnv;
  /** The agent whose workspace receives the skill (default agent when unset); ignored with `global`. */
  agentId?: string;
  /** Install into the managed folder shared by every agent. */
  global?: boolean;
  /** Replace an installed skill of the same name. */
  force?: boolean;
  /** Install even when the scan finds high-severity patterns (also skills.install.allowUnsafe). */
  allowUnsafe?: boolean;
  /** Install under this name instead of the skill's own. */
  as?: string;
}

export interface InstallResult {
  name: string;
  dir: string;
  sourceKind: "folder" | "archive" | "git";
  scan: ScanReport;
  replaced: boolean;
}

export function sourceKind(source: string): InstallResult["sourceKind"] {
  if (/^(?:git\+|git:\/\/|git@|ssh:\/\/)/.test(source) || /\.git(?:#.*)?$/.test(source)) return "git";
  if (ARCHIVE.test(source)) return "archive";
  return "folder";
}

export async function installSkill(opts: InstallOptions): Promise<InstallResult> {
  const kind = sourceKind(opts.source);
  const destRoot = opts.global
    ? managedSkillsDir(opts.paths)
    : join(
        (opts.agentId ? findAgent(opts.config, opts.paths, opts.agentId) : defaultAgent(opts.config, opts.paths))
          .workspaceDir,
        "skills",
      );
  await mkdir(destRoot, { recursive: true, mode: 0o700 });
  // Hidden (skipped by skill discovery) and on the same file system as the destination, so the final move
  // is a rename.
  const stage = await mkdtemp(join(destRoot, ".install-"));
  try {
    const fetched = join(stage, "src");
    if (kind === "git") await cloneGit(opts.source, fetched, opts.env);
    else if (kind === "archive") await extractArchive(resolve(expandHome(opts.source)), fetched);
    else await copyFolder(resolve(expandHome(opts.source)), fetched);
    const root = await skillRootIn(fetched, opts.source);
    const skill = await readSkill(root, opts.global ? "managed" : "workspace");
    if ("error" in skill)
      throw new PincerError("INVALID_REQUEST", `${opts.source} is not a valid skill: ${skill.error}`, {
        details: { code: "SKILL_INVALID" },
      });
    const name = opts.as ?? skill.name;
    if (!SKILL_NAME.test(name))
      throw new PincerError("INVALID_REQUEST", `"${name}" is not a skill name: lowercase letters, digits and hyphens`);
    const scan = await scanSkill(root);
    const escapes = scan.findings.some((f) => f.ruleId === "escapes-folder");
    if (escapes || (scan.verdict === "block" && !(opts.allowUnsafe || opts.config.skills.install.allowUnsafe))) {
      throw new PincerError(
        "FORBIDDEN",
        `refused to install ${opts.source}: the security scan found ${escapes ? "a link out of the skill folder" : "high-severity patterns"}.\n${formatScanReport(scan)}${
          escapes ? "" : "\nIf you have read the skill and trust it, install with --allow-unsafe."
        }`,
        { details: { code: "SKILL_UNSAFE", scan } },
      );
    }
    const dest = join(destRoot, name);
    const exists = await stat(dest).then(
      () => true,
      () => false,
    );
    if (exists && !opts.force)
      throw new PincerError("CONFLICT", `a skill is already installed at ${dest}: pass --force to replace it`);
    await writeFile(
      join(root, ".pincer-install.json"),
      `${JSON.stringify({ source: opts.source, kind, installedAt: new Date().toISOString(), scan: { maxSeverity: scan.maxSeverity, findings: scan.findings.length } }, null, 2)}\n`,
    );
    if (exists) {
      const old = join(stage, "previous");
      await rename(dest, old);
    }
    await rename(root, dest);
    return { name, dir: dest, sourceKind: kind, scan, replaced: exists };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function copyFolder(src: string, dest: string): Promise<void> {
  const st = await stat(src).catch(() => undefined);
  if (!st?.isDirectory()) throw new PincerError("NOT_FOUND", `${src} is not a folder, a .tar.gz archive or a git URL`);
  // Links are copied as links (never followed), so the scan sees and judges them.
  await cp(src, dest, { recursive: true, verbatimSymlinks: true, filter: (p) => basename(p) !== ".git" });
}

async function extractArchive(file: string, dest: string): Promise<void> {
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new PincerError("NOT_FOUND", `archive ${file} does not exist`);
  let listing: string;
  try {
    listing = (await run("tar", ["-tvf", file], { timeout: EXTERNAL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    throw new PincerError(
      "INVALID_REQUEST",
      `${file} is not a readable tar archive (${(err as Error).message.split("\n")[0]})`,
    );
  }
  const names = (await run("tar", ["-tf", file], { timeout: EXTERNAL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 })).stdout
    .split("\n")
    .filter(Boolean);
  for (const line of listing.split("\n").filter(Boolean)) {
    if (!line.startsWith("-") && !line.startsWith("d"))
      throw new PincerError(
        "FORBIDDEN",
        `refused ${file}: it contains a link or special file (${line.trim().slice(0, 120)}); skills are plain files`,
        {
          details: { code: "SKILL_UNSAFE" },
        },
      );
  }
  for (const name of names) {
    if (name.startsWith("/") || name.split("/").includes(".."))
      throw new PincerError(
        "FORBIDDEN",
        `refused ${file}: member "${name}" would be written outside the skill folder`,
        {
          details: { code: "SKILL_UNSAFE" },
        },
      );
  }
  await mkdir(dest, { recursive: true });
  await run("tar", ["-xf", file, "-C", dest, "--no-same-owner", "--no-same-permissions"], {
    timeout: EXTERNAL_TIMEOUT_MS,
  });
}

async function cloneGit(source: string, dest: string, env: NodeJS.ProcessEnv): Promise<void> {
  const [urlPart, ref] = source.replace(/^git\+/, "").split("#") as [string, string | undefined];
  const args = [
    "clone",
    "--depth",
    "1",
    "--no-recurse-submodules",
    ...(ref ? ["--branch", ref] : []),
    "--",
    urlPart,
    dest,
  ];
  try {
    await run("git", args, {
      timeout: EXTERNAL_TIMEOUT_MS,
      env: { ...env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "/bin/false" },
    });
  } catch (err) {
    throw new PincerError(
      "UNAVAILABLE",
      `git clone of ${urlPart} failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split("\n").pop()}`,
    );
  }
  // The repository's history and hooks are not part of the skill.
  await rm(join(dest, ".git"), { recursive: true, force: true });
}

/** The folder holding SKILL.md: the top of what was fetched, or its single top-level folder. */
async function skillRootIn(fetched: string, source: string): Promise<string> {
  const entries = await readdir(fetched, { withFileTypes: true });
  if (entries.some((e) => e.name === "SKILL.md")) return fetched;
  const dirs = entries.filter((e) => e.isDirectory() && e.name !== ".git");
  if (dirs.length === 1 && entries.filter((e) => e.name !== ".git").length === 1) {
    const inner = join(fetched, (dirs[0] as { name: string }).name);
    if ((await readdir(inner)).includes("SKILL.md")) return inner;
  }
  throw new PincerError("INVALID_REQUEST", `${source} has no SKILL.md at its top (or in its single top-level folder)`, {
    details: { code: "SKILL_INVALID" },
  });
}
