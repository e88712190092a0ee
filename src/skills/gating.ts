import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { PincerConfig } from "../config/schema.js";
import { normalizeAgentId } from "../sessions/keys.js";
import type { LoadedSkill } from "./load.js";

/**
 * Whether a skill can be offered: its OS, binaries, environment variables and config paths
 * (metadata.openclaw.requires), the per-skill switch (skills.entries.<key>.enabled), the bundled allowlist
 * (skills.allowBundled) and the agent's own list (agents.list[].skills / agents.defaults.skills). An
 * unavailable skill is still listed, with every reason.
 */

export interface SkillGate {
  eligible: boolean;
  /** Eligible and visible to this agent. */
  available: boolean;
  disabled: boolean;
  blockedByAllowlist: boolean;
  blockedByAgent: boolean;
  missing: { bins: string[]; anyBins: string[]; env: string[]; config: string[]; os: string[] };
  /** One sentence per reason the skill is unavailable. */
  reasons: string[];
}

export interface GateContext {
  config: PincerConfig;
  agentId: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  hasBin: (bin: string) => boolean;
}

const OS_ALIASES: Record<string, string> = { macos: "darwin", mac: "darwin", windows: "win32", win: "win32" };

/** The skill names an agent may see, or undefined for all (OpenClaw: a per-agent list replaces the default). */
export function agentSkillFilter(config: PincerConfig, agentId: string): Set<string> | undefined {
  const entry = config.agents.list.find((a) => normalizeAgentId(a.id) === agentId);
  const list = entry?.skills ?? config.agents.defaults.skills;
  return list ? new Set(list) : undefined;
}

export function gateSkill(skill: LoadedSkill, ctx: GateContext): SkillGate {
  const entry = ctx.config.skills.entries[skill.skillKey];
  const req = skill.meta.requires ?? {};
  const os = (skill.meta.os ?? []).map((o) => OS_ALIASES[o.toLowerCase()] ?? o.toLowerCase());
  const missing: SkillGate["missing"] = { bins: [], anyBins: [], env: [], config: [], os: [] };
  if (os.length > 0 && !os.includes(ctx.platform)) missing.os = os;
  // `always` skips the binary, env and config checks, never the OS check (OpenClaw's rule).
  if (!skill.meta.always) {
    missing.bins = (req.bins ?? []).filter((b) => !ctx.hasBin(b));
    const anyBins = req.anyBins ?? [];
    if (anyBins.length > 0 && !anyBins.some((b) => ctx.hasBin(b))) missing.anyBins = anyBins;
    missing.env = (req.env ?? []).filter((name) => {
      if (ctx.env[name]) return false;
      if (entry?.env?.[name]) return false;
      return !(skill.meta.primaryEnv === name && entry?.apiKey);
    });
    missing.config = (req.config ?? []).filter((path) => !truthyAt(ctx.config, path));
  }
  const disabled = entry?.enabled === false;
  const allowBundled = ctx.config.skills.allowBundled;
  const blockedByAllowlist =
    skill.source === "bundled" && allowBundled !== undefined && !allowBundled.includes(skill.name);
  const filter = agentSkillFilter(ctx.config, ctx.agentId);
  const blockedByAgent = filter !== undefined && !filter.has(skill.name);
  const reasons: string[] = [];
  if (disabled) reasons.push(`turned off (skills.entries.${skill.skillKey}.enabled is false)`);
  if (blockedByAllowlist) reasons.push("not in skills.allowBundled");
  if (blockedByAgent) reasons.push(`not in agent "${ctx.agentId}"'s skills list`);
  if (missing.os.length) reasons.push(`runs only on ${missing.os.join(", ")} (this host is ${ctx.platform})`);
  if (missing.bins.length) reasons.push(`needs ${missing.bins.join(", ")} on PATH`);
  if (missing.anyBins.length) reasons.push(`needs one of ${missing.anyBins.join(", ")} on PATH`);
  if (missing.env.length)
    reasons.push(`needs environment variable ${missing.env.join(", ")} (or skills.entries.${skill.skillKey}.env)`);
  if (missing.config.length) reasons.push(`needs config ${missing.config.join(", ")} set`);
  const requirementsMet = Object.values(missing).every((m) => m.length === 0);
  const eligible = !disabled && !blockedByAllowlist && requirementsMet;
  return {
    eligible,
    available: eligible && !blockedByAgent,
    disabled,
    blockedByAllowlist,
    blockedByAgent,
    missing,
    reasons,
  };
}

function truthyAt(config: unknown, path: string): boolean {
  let value: unknown = config;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return false;
    value = (value as Record<string, unknown>)[key];
  }
  return Boolean(value);
}

/** A PATH lookup that remembers answers per PATH value (skills are gated on every turn). */
export function pathBinLookup(env: NodeJS.ProcessEnv): (bin: string) => boolean {
  const path = env.PATH ?? "";
  return (bin) => {
    const key = `${path}\0${bin}`;
    const now = Date.now();
    const hit = binCache.get(key);
    if (hit && now - hit.at < BIN_CACHE_MS) return hit.found;
    const found = !bin.includes("/") && path.split(delimiter).some((dir) => dir && isExecutable(join(dir, bin)));
    if (binCache.size > 1_000) binCache.clear();
    binCache.set(key, { found, at: now });
    return found;
  };
}
/** A binary installed while the gateway runs is noticed within this long. */
const BIN_CACHE_MS = 30_000;
const binCache = new Map<string, { found: boolean; at: number }>();

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
