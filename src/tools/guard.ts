import { PincerError } from "../errors.js";
import { capToolOutput } from "./result-cap.js";
import { type AgentTool, type ToolOutput, textResult } from "./tool.js";

export interface ToolRunRecord {
  tool: string;
  agentId: string;
  sessionKey: string;
  durationMs: number;
  isError: boolean;
  /** The error message when the tool threw (policy refusals, bad paths, crashed servers …). */
  error?: string;
}

/**
 * Wraps a tool so every run is recorded, failures become `isError` results with an actionable message (the
 * same for the agent loop and /tools/invoke), and results are capped at `maxResultChars` with a note.
 */
export function guardTool(
  tool: AgentTool,
  opts: { maxResultChars: number; record: (run: ToolRunRecord) => void },
): AgentTool {
  return {
    ...tool,
    async execute(id, args, ctx) {
      const started = Date.now();
      let output: ToolOutput;
      let error: string | undefined;
      try {
        output = await tool.execute(id, args, ctx);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        const code = err instanceof PincerError ? ` (${err.code})` : "";
        output = textResult(`${tool.name} failed${code}: ${error}`, true);
      }
      const capped = capToolOutput(output, opts.maxResultChars);
      opts.record({
        tool: tool.name,
        agentId: ctx.agentId,
        sessionKey: ctx.sessionKey,
        durationMs: Date.now() - started,
        isError: capped.isError ?? false,
        ...(error ? { error } : {}),
      });
      return capped;
    },
  };
}
