import { z } from "zod";
import { defineTool, textResult, type AgentTool } from "../tools/tool.js";
import type { AgentRuntime } from "./runtime.js";

/**
 * Tools every agent has from the runtime itself. The tool families of src/tools (exec, files, web, browser,
 * sessions, MCP) join these as they land.
 */
export function builtinTools(runtime: AgentRuntime): AgentTool[] {
  return [sessionStatusTool(runtime)];
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
