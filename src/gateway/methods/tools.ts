import { randomUUID } from "node:crypto";
import { z } from "zod";
import { agentOf } from "./agent-access.js";
import { defineMethod, type MethodContext } from "./types.js";

/**
 * tools.catalog, tools.effective, tools.invoke and the exec approval methods (OpenClaw's names and shapes).
 * Everything heavy is imported on the first call, not at gateway start.
 */

async function assembled(ctx: MethodContext, rawKey: string, agentId?: string) {
  const runtime = agentOf(ctx.services);
  const { key, agent } = runtime.resolveKey(rawKey, agentId);
  const { assembleSessionTools } = await import("../../agent/builtin-tools.js");
  return { key, agentId: agent.id, tools: await assembleSessionTools(runtime, { agentId: agent.id, sessionKey: key }) };
}

export const toolsCatalogMethod = defineMethod({
  name: "tools.catalog",
  scope: "operator.read",
  params: z.strictObject({ agentId: z.string().min(1).optional(), includePlugins: z.boolean().optional() }),
  handler: async (p, ctx) => {
    const { catalogView } = await import("../../tools/catalog-view.js");
    // The main session sees every tool the policy allows outside a sandbox: the fullest view.
    const a = await assembled(ctx, "main", p.agentId);
    return catalogView(a.tools, a.agentId, p.includePlugins ?? true);
  },
});

export const toolsEffectiveMethod = defineMethod({
  name: "tools.effective",
  scope: "operator.read",
  params: z.strictObject({ sessionKey: z.string().min(1), agentId: z.string().min(1).optional() }),
  handler: async (p, ctx) => {
    const { effectiveView } = await import("../../tools/catalog-view.js");
    const a = await assembled(ctx, p.sessionKey, p.agentId);
    return effectiveView(a.tools, a.agentId);
  },
});

export const ToolsInvokeParams = z.looseObject({
  name: z.string().min(1),
  args: z.record(z.string(), z.unknown()).optional(),
  sessionKey: z.string().min(1).optional(),
  agentId: z.string().min(1).optional(),
  idempotencyKey: z.string().min(1).optional(),
});

/** Shared by the tools.invoke method and POST /tools/invoke. */
export async function runToolsInvoke(p: z.infer<typeof ToolsInvokeParams>, ctx: MethodContext) {
  const { invokeTool } = await import("../../tools/invoke.js");
  const a = await assembled(ctx, p.sessionKey ?? "main", p.agentId);
  return invokeTool(a.tools, {
    name: p.name,
    args: p.args ?? {},
    agentId: a.agentId,
    sessionKey: a.key,
    signal: ctx.signal,
    toolCallId: p.idempotencyKey ? `invoke_${p.idempotencyKey}` : `invoke_${randomUUID()}`,
  });
}

export const toolsInvokeMethod = defineMethod({
  name: "tools.invoke",
  scope: "operator.write",
  params: ToolsInvokeParams,
  handler: (p, ctx) => runToolsInvoke(p, ctx),
});

async function approvals(ctx: MethodContext) {
  const { toolHostFor } = await import("../../tools/tool-host.js");
  return toolHostFor(ctx.services).approvals;
}

export const execApprovalListMethod = defineMethod({
  name: "exec.approval.list",
  scope: "operator.approvals",
  params: z.looseObject({}),
  handler: async (_p, ctx) => (await approvals(ctx)).list().map((a) => ({ approvalKind: "exec", ...a })),
});

export const execApprovalGetMethod = defineMethod({
  name: "exec.approval.get",
  scope: "operator.approvals",
  params: z.strictObject({ id: z.string().min(1) }),
  handler: async (p, ctx) => ({ approvalKind: "exec", ...(await approvals(ctx)).get(p.id) }),
});

export const execApprovalResolveMethod = defineMethod({
  name: "exec.approval.resolve",
  scope: "operator.approvals",
  params: z.looseObject({
    id: z.string().min(1),
    decision: z.enum(["allow-once", "allow-always", "deny"]),
  }),
  handler: async (p, ctx) => {
    const resolved = await (await approvals(ctx)).resolve(p.id, p.decision, ctx.caller.clientId);
    return { ok: true, id: resolved.id, decision: p.decision };
  },
});

export const toolMethods = [
  toolsCatalogMethod,
  toolsEffectiveMethod,
  toolsInvokeMethod,
  execApprovalListMethod,
  execApprovalGetMethod,
  execApprovalResolveMethod,
];
