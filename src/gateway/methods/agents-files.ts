import { z } from "zod";
import { defineMethod, type MethodContext } from "./types.js";

/**
 * agents.files.list / get / set: the workspace files that shape an agent (OpenClaw's names and shapes). The
 * workspace module is imported on the first call, not at gateway start.
 */

async function workspaceOf(ctx: MethodContext, agentId: string) {
  const { findAgent } = await import("../../agent/agents.js");
  const agent = findAgent(ctx.services.config.current.config, ctx.services.paths, agentId);
  return { agentId: agent.id, workspace: agent.workspaceDir };
}

export const agentsFilesListMethod = defineMethod({
  name: "agents.files.list",
  scope: "operator.read",
  params: z.strictObject({ agentId: z.string().min(1) }),
  handler: async (p, ctx) => {
    const { listAgentFiles } = await import("../../workspace/agent-files.js");
    const where = await workspaceOf(ctx, p.agentId);
    return { ...where, files: await listAgentFiles(where.workspace) };
  },
});

export const agentsFilesGetMethod = defineMethod({
  name: "agents.files.get",
  scope: "operator.read",
  params: z.strictObject({ agentId: z.string().min(1), name: z.string().min(1) }),
  handler: async (p, ctx) => {
    const { getAgentFile } = await import("../../workspace/agent-files.js");
    const where = await workspaceOf(ctx, p.agentId);
    return { ...where, file: await getAgentFile(where.workspace, p.name) };
  },
});

export const agentsFilesSetMethod = defineMethod({
  name: "agents.files.set",
  // The files are the agent's instructions: changing them is changing what the agent does.
  scope: "operator.admin",
  params: z.strictObject({ agentId: z.string().min(1), name: z.string().min(1), content: z.string() }),
  handler: async (p, ctx) => {
    const { setAgentFile } = await import("../../workspace/agent-files.js");
    const where = await workspaceOf(ctx, p.agentId);
    return { ok: true as const, ...where, file: await setAgentFile(where.workspace, p.name, p.content) };
  },
});

export const agentsFilesMethods = [agentsFilesListMethod, agentsFilesGetMethod, agentsFilesSetMethod];
