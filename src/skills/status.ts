import { stat } from "node:fs/promises";
import { isAbsolute, relative, sep } from "node:path";
import { findAgent } from "../agent/agents.js";
import type { StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { gateSkill, pathBinLookup, type SkillGate } from "./gating.js";
import {
  bundledSkillsDir,
  type InvalidSkill,
  type LoadedSkill,
  type LoadedSkills,
  loadSkills,
  managedSkillsDir,
  type SkillRoot,
  skillRoots,
} from "./load.js";

/**
 * The skills of one agent: loaded from its roots (cached until a root or SKILL.md changes), gated, and shaped
 * for skills.status, the system prompt and the skill_read tool.
 */

export interface SkillsInput {
  config: PincerConfig;
  paths: StatePaths;
  agentId: string;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export interface AgentSkill extends LoadedSkill {
  gate: SkillGate;
}

interface Snapshot {
  signature: string;
  loaded: LoadedSkills;
  /** When the signature was last confirmed (epoch ms). */
  checkedAt: number;
}
const snapshots = new Map<string, Snapshot>();

/**
 * How stale the prompt's skill list may be: confirming the signature stats every root and skill file (~0.5–0.9
 * ms a turn with a few dozen skills), so a prompt takes it as is for this long. skills.status and skill_read
 * always look (maxAgeMs 0): someone who just installed a skill and asks sees it.
 */
export const PROMPT_SKILLS_CHECK_MS = 2_000;

/** mtimes of every root and every skill file: a new, removed or edited skill changes it. */
async function signatureOf(roots: SkillRoot[], loaded?: LoadedSkills): Promise<string> {
  const paths = [...roots.map((r) => r.dir), ...(loaded?.skills ?? []).flatMap((s) => [s.dir, s.file])];
  const times = await Promise.all(
    paths.map((p) =>
      stat(p).then(
        (st) => st.mtimeMs,
        () => -1,
      ),
    ),
  );
  return paths.map((p, i) => `${p}@${times[i]}`).join("|");
}

async function loadCached(roots: SkillRoot[], maxAgeMs: number): Promise<LoadedSkills> {
  const key = JSON.stringify(roots);
  const prev = snapshots.get(key);
  const now = Date.now();
  if (prev && now - prev.checkedAt < maxAgeMs) return prev.loaded;
  if (prev && (await signatureOf(roots, prev.loaded)) === prev.signature) {
    prev.checkedAt = now;
    return prev.loaded;
  }
  const loaded = await loadSkills(roots);
  if (snapshots.size > 64) snapshots.clear();
  snapshots.set(key, { signature: await signatureOf(roots, loaded), loaded, checkedAt: now });
  return loaded;
}

export async function agentSkills(
  input: SkillsInput,
  maxAgeMs = 0,
): Promise<{ skills: AgentSkill[]; invalid: InvalidSkill[]; workspaceDir: string }> {
  const agent = findAgent(input.config, input.paths, input.agentId);
  const loaded = await loadCached(skillRoots(input.config, input.paths, agent.workspaceDir, input.env), maxAgeMs);
  const ctx = {
    config: input.config,
    agentId: agent.id,
    env: input.env,
    platform: input.platform ?? process.platform,
    hasBin: pathBinLookup(input.env),
  };
  return {
    skills: loaded.skills.map((s) => ({ ...s, gate: gateSkill(s, ctx) })),
    invalid: loaded.invalid,
    workspaceDir: agent.workspaceDir,
  };
}

/**
 * The skills block of the system prompt: available, model-invocable skills with where their SKILL.md is.
 * A change to the skill folders shows up within `maxAgeMs`.
 */
export async function promptSkills(
  input: SkillsInput,
  maxAgeMs = 0,
): Promise<{ name: string; description: string; location: string }[]> {
  const { skills, workspaceDir } = await agentSkills(input, maxAgeMs);
  return skills
    .filter((s) => s.gate.available && s.modelInvocable)
    .map((s) => ({ name: s.name, description: s.description, location: displayPath(workspaceDir, s.file) }));
}

function displayPath(workspace: string, file: string): string {
  const rel = relative(workspace, file);
  return rel && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel.split(sep).join("/") : file;
}

/** skills.status: every skill found, why each one is or is not available, and the files that failed to load. */
export async function skillsStatus(input: SkillsInput) {
  const { skills, invalid, workspaceDir } = await agentSkills(input);
  return {
    agentId: input.agentId,
    workspaceDir,
    managedSkillsDir: managedSkillsDir(input.paths),
    bundledSkillsDir: bundledSkillsDir(input.env),
    skills: skills.map((s) => ({
      name: s.name,
      description: s.description,
      source: s.source,
      bundled: s.source === "bundled",
      filePath: s.file,
      baseDir: s.dir,
      skillKey: s.skillKey,
      ...(s.meta.primaryEnv ? { primaryEnv: s.meta.primaryEnv } : {}),
      ...(s.meta.emoji ? { emoji: s.meta.emoji } : {}),
      ...((s.homepage ?? s.meta.homepage) ? { homepage: s.homepage ?? s.meta.homepage } : {}),
      always: s.meta.always === true,
      disabled: s.gate.disabled,
      blockedByAllowlist: s.gate.blockedByAllowlist,
      blockedByAgentFilter: s.gate.blockedByAgent,
      eligible: s.gate.eligible,
      modelVisible: s.gate.available && s.modelInvocable,
      userInvocable: s.userInvocable,
      requirements: {
        bins: s.meta.requires?.bins ?? [],
        anyBins: s.meta.requires?.anyBins ?? [],
        env: s.meta.requires?.env ?? [],
        config: s.meta.requires?.config ?? [],
        os: s.meta.os ?? [],
      },
      missing: s.gate.missing,
      ...(s.gate.reasons.length ? { unavailableReasons: s.gate.reasons } : {}),
    })),
    invalid,
  };
}
