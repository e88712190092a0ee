import { z } from "zod";
import type { StatePaths } from "../../config/paths.js";
import type { PincerConfig } from "../../config/schema.js";
import { defineMethod } from "./types.js";

/**
 * agents.list: the configured agents in OpenClaw's AgentsListResult shape. OpenClaw's CLI reads it before
 * `openclaw agent` (its "remote roster") to pick the agent a turn goes to, so `defaultId`, `ownership` and
 * `selectionRequired` must say what Pincer does: a message without an agent goes to the default agent.
 */

type ModelSetting = ReturnType<typeof import("../../agent/agents.js").agentModelSetting>;

/** The per-agent model as the schema's `{ primary?, fallbacks? }`; undefined when nothing is set. */
function modelSummary(setting: ModelSetting): { primary?: string; fallbacks?: string[] } | undefined {
  if (setting === undefined) return undefined;
  if (typeof setting === "string") return { primary: setting };
  const out: { primary?: string; fallbacks?: string[] } = {};
  if (setting.primary) out.primary = setting.primary;
  if (setting.fallbacks.length > 0) out.fallbacks = setting.fallbacks;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The agents.list answer for `config`; the agents module loads on the first call, not at gateway start. */
export async function agentsListResult(config: PincerConfig, paths: StatePaths) {
  const { agentModelSetting, listAgents } = await import("../../agent/agents.js");
  const agents = listAgents(config, paths);
  const defaultId = (agents.find((a) => a.isDefault) ?? agents[0])?.id ?? "main";
  return {
    defaultId,
    // One agent: it owns everything. Several: Pincer still has a default one, so no selection is required.
    ownership: agents.length === 1 ? ("sole" as const) : ("legacy" as const),
    selectionRequired: false,
    mainKey: config.session.mainKey,
    scope: config.session.scope ?? "per-sender",
    agents: agents.map((a) => {
      const model = modelSummary(agentModelSetting(config, a.id));
      return {
        id: a.id,
        kind: "agent" as const,
        ...(a.name ? { name: a.name } : {}),
        workspace: a.workspaceDir,
        ...(model ? { model } : {}),
      };
    }),
  };
}

export const agentsListMethod = defineMethod({
  name: "agents.list",
  scope: "operator.read",
  // AgentsListParams has no fields; extra ones from newer clients are ignored rather than refused.
  params: z.looseObject({}),
  handler: (_p, { services }) => agentsListResult(services.config.current.config, services.paths),
});
