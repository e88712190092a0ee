import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { PincerError } from "../../errors.js";
import type { Logger } from "../../logging/logger.js";
import { BLOCKED_ENV_NAME } from "../../sandbox/env.js";
import { isStdioServer, type McpServerConfig } from "../config-schema.js";

/** What one MCP server offers: the tool list as the server describes it. */
export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export interface McpCallResult {
  content: ({ type: "text"; text: string } | { type: "image"; data: string; mimeType: string })[];
  isError: boolean;
}

/**
 * One MCP server connection (stdio child process or streamable HTTP / SSE), made with the official SDK,
 * which is loaded on first connect. A connection that closes (the server crashed or went away) is marked dead
 * and replaced on the next use; a call in flight when it dies fails with a message naming the server.
 */
export class McpConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private tools: McpToolInfo[] | undefined;
  private closedReason: string | undefined;
  private stderrTail = "";

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly log: Logger,
  ) {}

  /** The server's tools, connecting (or reconnecting after a crash) first. */
  async listTools(): Promise<McpToolInfo[]> {
    const client = await this.connected();
    if (!this.tools) {
      const out: McpToolInfo[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: this.config.requestTimeoutMs });
        for (const t of page.tools) {
          out.push({
            name: t.name,
            ...(t.description ? { description: t.description } : {}),
            inputSchema: t.inputSchema as Record<string, unknown>,
          });
        }
        cursor = page.nextCursor;
      } while (cursor);
      this.tools = out;
    }
    return this.tools;
  }

  async callTool(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<McpCallResult> {
    const client = await this.connected();
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: this.config.requestTimeoutMs,
        signal,
      });
      return convertResult(result as Record<string, unknown>);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (this.closedReason || !this.client || /connection closed/i.test(reason)) {
        throw new PincerError(
          "UNAVAILABLE",
          `MCP server "${this.name}" stopped during the call (${this.closedReason ?? reason})${this.stderrTail ? `; its last output: ${this.stderrTail.trim().slice(-300)}` : ""}. It is restarted on the next call`,
          { retryable: true },
        );
      }
      throw new PincerError("UNAVAILABLE", `MCP server "${this.name}" failed the call to ${tool}: ${reason}`);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    this.tools = undefined;
    await client?.close().catch(() => undefined);
  }

  private connected(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const [{ Client }, { ToolListChangedNotificationSchema }] = await Promise.all([
      import("@modelcontextprotocol/sdk/client/index.js"),
      import("@modelcontextprotocol/sdk/types.js"),
    ]);
    const client = new Client({ name: "pincer", version: "1" }, { capabilities: {} });
    const transport = await this.transport();
    this.closedReason = undefined;
    this.stderrTail = "";
    client.onclose = () => {
      if (this.client === client) {
        this.closedReason = "the connection closed";
        this.client = undefined;
        this.tools = undefined;
        this.log.warn({ mcpServer: this.name }, "MCP server connection closed");
      }
    };
    client.onerror = (err) => this.log.debug({ mcpServer: this.name, err: err.message }, "MCP transport error");
    try {
      await client.connect(transport, { timeout: this.config.connectionTimeoutMs });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw new PincerError(
        "UNAVAILABLE",
        `MCP server "${this.name}" did not start: ${err instanceof Error ? err.message : String(err)}${this.stderrTail ? ` (stderr: ${this.stderrTail.trim().slice(-300)})` : ""}; check mcp.servers.${this.name}`,
        { retryable: true },
      );
    }
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      this.tools = undefined;
    });
    this.client = client;
    return client;
  }

  private async transport() {
    const cfg = this.config;
    if (isStdioServer(cfg)) {
      const { StdioClientTransport, getDefaultEnvironment } = await import("@modelcontextprotocol/sdk/client/stdio.js");
      const env = { ...getDefaultEnvironment() };
      for (const [k, v] of Object.entries(cfg.env)) {
        // Interpreter and loader hooks could inject code into the server process: dropped, as OpenClaw does.
        if (BLOCKED_ENV_NAME.test(k) && k !== "PATH") {
          this.log.warn({ mcpServer: this.name, env: k }, "ignoring a blocked environment variable for an MCP server");
          continue;
        }
        env[k] = v;
      }
      const transport = new StdioClientTransport({
        command: cfg.command,
        args: cfg.args,
        env,
        stderr: "pipe",
        ...(cfg.cwd || cfg.workingDirectory ? { cwd: cfg.cwd ?? (cfg.workingDirectory as string) } : {}),
      });
      transport.stderr?.on("data", (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-2000);
      });
      return transport;
    }
    const url = new URL(cfg.url);
    const requestInit = { headers: cfg.headers };
    if (cfg.transport === "sse") {
      const { SSEClientTransport } = await import("@modelcontextprotocol/sdk/client/sse.js");
      return new SSEClientTransport(url, { requestInit });
    }
    const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
    return new StreamableHTTPClientTransport(url, { requestInit });
  }
}

function convertResult(result: Record<string, unknown>): McpCallResult {
  const content: McpCallResult["content"] = [];
  const parts = Array.isArray(result.content) ? (result.content as Record<string, unknown>[]) : [];
  for (const part of parts) {
    if (part.type === "text" && typeof part.text === "string") content.push({ type: "text", text: part.text });
    else if (part.type === "image" && typeof part.data === "string" && typeof part.mimeType === "string")
      content.push({ type: "image", data: part.data, mimeType: part.mimeType });
    else content.push({ type: "text", text: JSON.stringify(part) });
  }
  if (content.length === 0 && result.structuredContent !== undefined)
    content.push({ type: "text", text: JSON.stringify(result.structuredContent) });
  if (content.length === 0) content.push({ type: "text", text: "(no content)" });
  return { content, isError: result.isError === true };
}
