import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { expandHome, type StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { type OpenClawSkillMeta, parseSkillFile, SKILL_NAME } from "./frontmatter.js";

/**
 * Finding skills: every folder with a SKILL.md under the skill roots, highest precedence first — the agent's
 * workspace `skills/`, `~/.agents/skills`, managed (`<stateDir>/skills`, where `pincer skills install
 * --global` puts them), bundled (shipped with Pincer), then `skills.load.extraDirs`. A name found twice is
 * taken from the higher root. A skill folder whose real location is outside its root (a symlink out of the
 * workspace) is skipped, as is a SKILL.md that is a link out of its folder.
 */

export type SkillSource = "workspace" | "personal" | "managed" | "bundled" | "extra";

export interface SkillRoot {
  dir: string;
  source: SkillSource;
  /** Managed and personal roots may hold symlinked skill folders (OpenClaw allows it there). */
  followLinks: boolean;
}

export interface LoadedSkill {
  name: string;
  description: string;
  source: SkillSource;
  /** The skill folder (real path) and its SKILL.md. */
  dir: string;
  file: string;
  meta: OpenClawSkillMeta;
  /** Key under skills.entries: metadata.openclaw.skillKey, else the name. */
  skillKey: string;
  userInvocable: boolean;
  modelInvocable: boolean;
  homepage?: string;
}

export interface InvalidSkill {
  file: string;
  source: SkillSource;
  error: string;
}

export interface LoadedSkills {
  skills: LoadedSkill[];
  invalid: InvalidSkill[];
  /** Lower-precedence copies hidden by a skill of the same name. */
  shadowed: LoadedSkill[];
}

/** SKILL.md files beyond this are not instructions; refusing them keeps a prompt-stuffing skill out. */
export const MAX_SKILL_FILE_BYTES = 256 * 1024;
/** Grouped layouts (skills/personal/research/SKILL.md) are found down to this depth. */
const MAX_DEPTH = 6;

/** The bundled skills folder: `skills/` at the package root (two levels above src/skills or dist/skills). */
export function bundledSkillsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PINCER_BUNDLED_SKILLS_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "skills");
}

export function managedSkillsDir(paths: StatePaths): string {
  return join(paths.stateDir, "skills");
}

export function skillRoots(
  config: PincerConfig,
  paths: StatePaths,
  workspaceDir: string,
  env: NodeJS.ProcessEnv,
): SkillRoot[] {
  const roots: SkillRoot[] = [{ dir: join(workspaceDir, "skills"), source: "workspace", followLinks: false }];
  const home = env.HOME?.trim();
  if (home) roots.push({ dir: join(home, ".agents", "skills"), source: "personal", followLinks: true });
  roots.push({ dir: managedSkillsDir(paths), source: "managed", followLinks: true });
  roots.push({ dir: bundledSkillsDir(env), source: "bundled", followLinks: false });
  for (const extra of config.skills.load.extraDirs) {
    const dir = resolve(expandHome(extra, home || undefined));
    roots.push({ dir, source: "extra", followLinks: false });
  }
  return roots;
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

async function findSkillFolders(root: SkillRoot): Promise<{ dir: string; realDir: string }[]> {
  const realRoot = await realpath(root.dir).catch(() => undefined);
  if (!realRoot) return [];
  const out: { dir: string; realDir: string }[] = [];
  const walk = async (dir: string, depth: number) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (depth > 0 && entries.some((e) => e.name === "SKILL.md")) {
      const realDir = await realpath(dir).catch(() => undefined);
      if (realDir && (root.followLinks || inside(realRoot, realDir))) out.push({ dir, realDir });
      return;
    }
    if (depth >= MAX_DEPTH) return;
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      if (
        e.isDirectory() ||
        (e.isSymbolicLink() && (await stat(join(dir, e.name)).catch(() => undefined))?.isDirectory())
      )
        await walk(join(dir, e.name), depth + 1);
    }
  };
  await walk(root.dir, 0);
  return out;
}

/** Reads one skill folder; returns the skill or why it is invalid. */
export async function readSkill(dir: string, source: SkillSource): Promise<LoadedSkill | InvalidSkill> {
  const file = join(dir, "SKILL.md");
  const realDir = await realpath(dir);
  const realFile = await realpath(file).catch(() => undefined);
  if (!realFile || !inside(realDir, realFile))
    return { file, source, error: "SKILL.md is a link to a file outside the skill folder" };
  const st = await stat(realFile);
  if (!st.isFile()) return { file, source, error: "SKILL.md is not a regular file" };
  if (st.size > MAX_SKILL_FILE_BYTES)
    return { file, source, error: `SKILL.md is ${st.size} bytes; the limit is ${MAX_SKILL_FILE_BYTES}` };
  try {
    const parsed = parseSkillFile(await readFile(realFile, "utf8"), file);
    const name = parsed.name ?? basename(realDir).toLowerCase();
    if (!SKILL_NAME.test(name))
      return {
        file,
        source,
        error: `no valid name: set "name:" in the frontmatter (folder name "${basename(realDir)}" is not a skill name)`,
      };
    return {
      name,
      description: parsed.description,
      source,
      dir: realDir,
      file: realFile,
      meta: parsed.meta,
      skillKey: parsed.meta.skillKey ?? name,
      userInvocable: parsed.userInvocable,
      modelInvocable: parsed.modelInvocable,
      ...(parsed.homepage ? { homepage: parsed.homepage } : {}),
    };
  } catch (err) {
    return { file, source, error: (err as Error).message };
  }
}

export async function loadSkills(roots: SkillRoot[]): Promise<LoadedSkills> {
  const result: LoadedSkills = { skills: [], invalid: [], shadowed: [] };
  const byName = new Map<string, LoadedSkill>();
  for (const root of roots) {
    for (const { dir } of await findSkillFolders(root)) {
      const skill = await readSkill(dir, root.source);
      if ("error" in skill) {
        result.invalid.push(skill);
        continue;
      }
      if (byName.has(skill.name)) result.shadowed.push(skill);
      else {
        byName.set(skill.name, skill);
        result.skills.push(skill);
      }
    }
  }
  return result;
}
