import { PincerError } from "../errors.js";
import { formatIssues } from "../gateway/protocol/frames.js";
import type { AssembledTools } from "./assemble.js";
import type { ToolOutput } from "./tool.js";

/**
 * Tools never callable through tools.invoke / POST /tools/invoke, whatever the session policy says: they run
 * commands, rewrite files or inject messages into other sessions, which an HTTP caller should do through a
 * normal agent turn (with its sandbox and approvals), not directly. OpenClaw keeps the same default list.
 */
export const INVOKE_DENIED_TOOLS: ReadonlySet<string> = new Set([
  "exec",
  "process",
  "write",
  "edit",
  "apply_patch",
  "sessions_send",
  "sessions_spawn",
  "cron",
  "gateway",
  "message",
]);

export interface InvokeRequest {
  name: string;
  args: Record<string, unknown>;
  agentId: string;
  sessionKey: string;
  signal: AbortSignal;
  toolCallId: string;
}

export interface InvokeResult {
  ok: boolean;
  toolName: string;
  source: "core" | "mcp";
  output: ToolOutput;
}

/** Runs one tool of a session directly: same policy as the agent gets, plus the invoke deny list. */
export async function invokeTool(assembled: AssembledTools, req: InvokeRequest): Promise<InvokeResult> {
  const tool = assembled.tools.find((t) => t.name === req.name);
  if (!tool || INVOKE_DENIED_TOOLS.has(req.name)) {
    throw new PincerError(
      "NOT_FOUND",
      INVOKE_DENIED_TOOLS.has(req.name)
        ? `tool ${req.name} cannot be invoked directly; it runs only inside an agent turn`
        : `tool ${req.name} is not available for session ${req.sessionKey} (unknown, or excluded by tool policy)`,
    );
  }
  const parsed = tool.parameters.safeParse(req.args);
  if (!parsed.success)
    throw new PincerError("INVALID_REQUEST", `invalid arguments for ${req.name}: ${formatIssues(parsed.error)}`);
  const output = await tool.execute(req.toolCallId, parsed.data, {
    signal: req.signal,
    agentId: req.agentId,
    sessionKey: req.sessionKey,
  });
  return {
    ok: !output.isError,
    toolName: req.name,
    source: tool.source?.kind === "mcp" ? "mcp" : "core",
    output,
  };
}
