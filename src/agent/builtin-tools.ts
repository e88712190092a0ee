import { z } from "zod";
import { cronTool } from "../automation/cron/cron-tool.js";
import { memoryTools } from "../memory/tools.js";
import { skillReadTool } from "../skills/read-tool.js";
import type { AssembledTools } from "../tools/assemble.js";
import { type AgentTool, defineTool, textResult } from "../tools/tool.js";
import { findAgent } from "./agents.js";
import type { AgentRuntime } from "./runtime.js";

/** Tools every agent has from the runtime itself. */
export function builtinTools(runtime: AgentRuntime): AgentTool[] {
  return [
    sessionStatusTool(runtime),
    cronTool(() => runtime.services.automation?.cron()),
    ...memoryTools({
      config: () => runtime.config,
      paths: runtime.services.paths,
      env: process.env,
      shutdownSignal: runtime.services.shutdownSignal,
      onError: (err, what) => runtime.services.log.warn({ err }, `${what} failed`),
    }),
    skillReadTool({ config: () => runtime.config, paths: runtime.services.paths, env: process.env }),
  ];
}

/**
 * The tools of one session for one turn: the runtime's own plus src/tools (files, exec, web, browser, sessions,
 * MCP), filtered by the tool policy for this session (main or not, sandboxed or not, which provider) and
 * wrapped to record runs and cap results. `model` is the session's model override, if any.
 */
export async function sessionTools(
  runtime: AgentRuntime,
  session: { agentId: string; sessionKey: string; model?: string | undefined },
): Promise<AgentTool[]> {
  return (await assembleSessionTools(runtime, session)).tools;
}

/** sessionTools with the policy decision for every candidate (tools.effective, /tools/invoke). */
export async function assembleSessionTools(
  runtime: AgentRuntime,
  session: { agentId: string; sessionKey: string; model?: string | undefined },
): Promise<AssembledTools> {
  // Loaded on the first turn, not at gateway start.
  const [{ assembleTools }, { toolHostFor }] = await Promise.all([
    import("../tools/assemble.js"),
    import("../tools/tool-host.js"),
  ]);
  const agent = findAgent(runtime.config, runtime.services.paths, session.agentId);
  const primary = runtime.router.resolveChain(agent.id, session.model)[0];
  return assembleTools({
    config: runtime.config,
    stateDir: runtime.services.paths.stateDir,
    agentId: agent.id,
    agentWorkspace: agent.workspaceDir,
    sessionKey: session.sessionKey,
    provider: primary?.provider,
    model: primary?.model,
    access: runtime,
    host: toolHostFor(runtime.services),
    channels: () => runtime.services.channels,
    extra: runtime.tools,
  });
}

function sessionStatusTool(runtime: AgentRuntime): AgentTool {
  return defineTool({
    name: "session_status",
    description:
      "Show this session's model, token usage, cost so far and context size. Use when the user asks about usage or which model is answering.",
    parameters: z.object({}),
    async execute(_id, _args, ctx) {
      const store = await runtime.store(ctx.agentId);
      const entry = store.get(ctx.sessionKey);
      const model = runtime.router.resolveChain(ctx.agentId, entry?.model)[0];
      const window = runtime.contextWindow(ctx.agentId, entry?.model);
      const lines = [
        `session: ${ctx.sessionKey}`,
        `model: ${model ? `${model.provider}/${model.model}` : "none configured"}`,
        ...(entry
          ? [
              `tokens: ${entry.inputTokens} input, ${entry.outputTokens} output`,
              `context: ${entry.totalTokens}${window ? ` of ${window}` : ""} tokens`,
              `cost so far: $${entry.estimatedCostUsd.toFixed(4)}`,
              `compactions: ${entry.compactionCount}`,
            ]
          : []),
      ];
      return textResult(lines.join("\n"));
    },
  });
}
