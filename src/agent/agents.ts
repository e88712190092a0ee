import { join } from "node:path";
import { expandHome, type StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { PincerError } from "../errors.js";
import { normalizeAgentId } from "../sessions/keys.js";

export interface AgentInfo {
  id: string;
  name?: string;
  isDefault: boolean;
  workspaceDir: string;
}

/** The configured agents; with none configured, the single default agent "main". */
export function listAgents(config: PincerConfig, paths: StatePaths): AgentInfo[] {
  const list = config.agents.list;
  if (list.length === 0)
    return [{ id: "main", isDefault: true, workspaceDir: defaultWorkspace(config, paths, "main", true) }];
  const defaultIndex = Math.max(
    0,
    list.findIndex((a) => a.default),
  );
  return list.map((a, i) => {
    const id = normalizeAgentId(a.id);
    const isDefault = i === defaultIndex;
    const info: AgentInfo = {
      id,
      isDefault,
      workspaceDir: a.workspace ? resolveDir(a.workspace) : defaultWorkspace(config, paths, id, isDefault),
    };
    if (a.name) info.name = a.name;
    return info;
  });
}

export function defaultAgent(config: PincerConfig, paths: StatePaths): AgentInfo {
  const agents = listAgents(config, paths);
  return agents.find((a) => a.isDefault) ?? (agents[0] as AgentInfo);
}

export function findAgent(config: PincerConfig, paths: StatePaths, agentId: string): AgentInfo {
  const id = normalizeAgentId(agentId);
  const agent = listAgents(config, paths).find((a) => a.id === id);
  if (!agent) {
    const known = listAgents(config, paths)
      .map((a) => a.id)
      .join(", ");
    throw new PincerError("NOT_FOUND", `unknown agent "${agentId}": configured agents are ${known} (agents.list)`, {
      details: { code: "UNKNOWN_AGENT_ID" },
    });
  }
  return agent;
}

/** The per-agent model setting, else the defaults'. */
export function agentModelSetting(config: PincerConfig, agentId: string) {
  const entry = config.agents.list.find((a) => normalizeAgentId(a.id) === agentId);
  return entry?.model ?? config.agents.defaults.model;
}

function defaultWorkspace(config: PincerConfig, paths: StatePaths, id: string, isDefault: boolean): string {
  const configured = config.agents.defaults.workspace;
  const base = configured ? resolveDir(configured) : paths.workspaceDir;
  // One workspace per agent: the default agent uses the base folder, others a sibling named after them.
  return isDefault ? base : `${base}-${id}`;
}

function resolveDir(p: string): string {
  const expanded = expandHome(p);
  return expanded.startsWith("/") ? expanded : join(process.cwd(), expanded);
}
