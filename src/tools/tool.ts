import { z } from "zod";
import type { ImagePart, TextPart } from "../sessions/messages.js";

export interface ToolContext {
  signal: AbortSignal;
  agentId: string;
  sessionKey: string;
  /** Streams partial output to watchers (agent events, stream "tool"). */
  onUpdate?: (partial: string) => void;
}

export interface ToolOutput {
  content: (TextPart | ImagePart)[];
  isError?: boolean;
}

/**
 * A tool is a plain object: one zod schema gives the model its JSON Schema and `execute` its typed,
 * already-validated arguments. Failures are returned as `isError` results the model sees, not thrown.
 */
export interface AgentTool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: S;
  /** Where the tool comes from, for policy (MCP groups) and the tools.catalog / tools.effective views. */
  source?: ToolSource;
  /**
   * A JSON Schema given to the model as is, instead of one derived from `parameters` (MCP tools publish
   * their own); `parameters` still validates the arguments.
   */
  inputSchema?: Record<string, unknown>;
  execute(id: string, args: z.infer<S>, ctx: ToolContext): Promise<ToolOutput>;
}

export type ToolSource = { kind: "core" } | { kind: "mcp"; server: string; toolName: string };

export function defineTool<S extends z.ZodType>(tool: AgentTool<S>): AgentTool<S> {
  return tool;
}

export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/**
 * JSON Schemas by the zod schema they come from. Keyed on the schema, not the tool: tools are assembled per
 * session and turn, but their parameter schemas are module constants, so each is converted once per process.
 */
const schemaCache = new WeakMap<z.ZodType, Record<string, unknown>>();

/** The JSON Schema view of a tool the model is given. */
export function toolSpec(tool: AgentTool): ToolSpec {
  let parameters = tool.inputSchema as Record<string, unknown> | undefined;
  if (!parameters) {
    parameters = schemaCache.get(tool.parameters);
    if (!parameters) {
      parameters = z.toJSONSchema(tool.parameters, { io: "input" }) as Record<string, unknown>;
      schemaCache.set(tool.parameters, parameters);
    }
  }
  const { $schema: _omit, ...rest } = parameters;
  return { name: tool.name, description: tool.description, parameters: rest };
}

export function textResult(text: string, isError = false): ToolOutput {
  return { content: [{ type: "text", text }], ...(isError ? { isError } : {}) };
}
