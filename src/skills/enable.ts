import { PincerError } from "../errors.js";
import { normalizeAgentId } from "../sessions/keys.js";

/**
 * Turning a skill on or off, as an edit of the config document as written (so $include, ${VAR} and comments
 * elsewhere are left alone). Without an agent: `skills.entries.<key>.enabled`. With an agent: that agent's
 * `agents.list[].skills` allowlist — created from every skill currently known when the agent had none, so
 * disabling one skill hides only that skill.
 */
export function setSkillEnabledInDoc(
  doc: Record<string, unknown>,
  edit: { skillKey: string; name: string; enabled: boolean; agentId?: string; knownNames: string[] },
): void {
  if (!edit.agentId) {
    const skills = obj(doc, "skills");
    const entries = obj(skills, "entries");
    const entry = obj(entries, edit.skillKey);
    entry.enabled = edit.enabled;
    return;
  }
  const agents = obj(doc, "agents");
  if (agents.list === undefined) agents.list = [];
  const list = agents.list as unknown[];
  if (!Array.isArray(list)) throw new PincerError("CONFIG_INVALID", "agents.list must be an array");
  const id = normalizeAgentId(edit.agentId);
  let entry = list.find(
    (a): a is Record<string, unknown> =>
      typeof a === "object" &&
      a !== null &&
      typeof (a as { id?: unknown }).id === "string" &&
      normalizeAgentId((a as { id: string }).id) === id,
  );
  if (!entry) {
    if (id !== "main" || list.length > 0)
      throw new PincerError("NOT_FOUND", `agent "${edit.agentId}" is not in agents.list; add it there first`);
    entry = { id: "main", default: true };
    list.push(entry);
  }
  const defaults = (agents.defaults as Record<string, unknown> | undefined)?.skills;
  const current = Array.isArray(entry.skills)
    ? (entry.skills as string[])
    : Array.isArray(defaults)
      ? (defaults as string[])
      : edit.knownNames;
  const next = new Set(current);
  if (edit.enabled) next.add(edit.name);
  else next.delete(edit.name);
  entry.skills = [...next].sort();
}

function obj(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = parent[key];
  if (value === undefined) {
    const created: Record<string, unknown> = {};
    parent[key] = created;
    return created;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new PincerError("CONFIG_INVALID", `${key} in the config must be an object`);
  return value as Record<string, unknown>;
}
