import { createHash } from "node:crypto";
import { z } from "zod";
import type { Logger } from "../../logging/logger.js";
import { mcpToolName } from "../catalog.js";
import type { McpConfig } from "../config-schema.js";
import { type AgentTool, defineTool } from "../tool.js";
import { McpConnection, type McpToolInfo } from "./mcp-connection.js";

/** After a server fails to start, it is not tried again for this long (each turn would otherwise wait on it). */
const RETRY_AFTER_MS = 30_000;
/** Longest tool name providers accept. */
const MAX_TOOL_NAME = 64;

interface Entry {
  configKey: string;
  conn: McpConnection;
  failedAt?: number;
}

/**
 * The MCP servers of mcp.servers, kept connected across turns: started on first use, restarted when their
 * config changes or after they die, closed when the gateway stops. Their tools appear to the agent as
 * `<server>__<tool>` and go through the same tool policy as built-in tools (group:plugins, bundle-mcp, globs).
 */
export class McpManager {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly log: Logger) {}

  async tools(config: McpConfig): Promise<AgentTool[]> {
    this.sync(config);
    const now = Date.now();
    const lists = await Promise.all(
      [...this.entries].map(async ([name, entry]) => {
        if (entry.failedAt && now - entry.failedAt < RETRY_AFTER_MS) return [];
        try {
          const infos = await entry.conn.listTools();
          entry.failedAt = undefined;
          return infos.map((info) => this.toTool(name, entry.conn, info));
        } catch (err) {
          entry.failedAt = now;
          await entry.conn.close();
          // One broken server must not break the turn: its tools are left out until it starts again.
          this.log.warn(
            { mcpServer: name, err: err instanceof Error ? err.message : String(err) },
            "MCP server unavailable",
          );
          return [];
        }
      }),
    );
    return lists.flat();
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.conn.close()));
  }

  /** Opens entries for new servers, closes removed, disabled or changed ones. */
  private sync(config: McpConfig): void {
    const wanted = new Map(Object.entries(config.servers).filter(([, s]) => s.enabled));
    for (const [name, entry] of this.entries) {
      const cfg = wanted.get(name);
      if (!cfg || JSON.stringify(cfg) !== entry.configKey) {
        this.entries.delete(name);
        void entry.conn.close();
      }
    }
    for (const [name, cfg] of wanted) {
      if (!this.entries.has(name))
        this.entries.set(name, { configKey: JSON.stringify(cfg), conn: new McpConnection(name, cfg, this.log) });
    }
  }

  private toTool(server: string, conn: McpConnection, info: McpToolInfo): AgentTool {
    let name = mcpToolName(server, info.name);
    if (name.length > MAX_TOOL_NAME) {
      const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
      name = `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`;
    }
    const schema = { type: "object", properties: {}, ...info.inputSchema };
    delete (schema as Record<string, unknown>).$schema;
    return {
      ...defineTool({
        name,
        description: `[MCP ${server}] ${info.description ?? info.name}`.slice(0, 1024),
        // The server validates its own arguments; here they only need to be an object.
        parameters: z.record(z.string(), z.unknown()),
        async execute(_id, args, ctx) {
          return conn.callTool(info.name, args, ctx.signal);
        },
      }),
      inputSchema: schema,
      source: { kind: "mcp", server, toolName: info.name },
    };
  }
}
