import { join } from "node:path";
import type { GatewayServices } from "../gateway/services.js";
import type { Logger } from "../logging/logger.js";
import { ExecApprovals } from "./approvals/exec-approvals.js";
import type { BrowserManager } from "./browser/browser-manager.js";
import type { McpConfig } from "./config-schema.js";
import type { ToolRunRecord } from "./guard.js";
import type { McpManager } from "./mcp/mcp-manager.js";
import { ProcessRegistry } from "./process-registry.js";
import type { AgentTool } from "./tool.js";

export interface ToolHostDeps {
  stateDir: string;
  broadcast: (event: string, payload: unknown) => void;
  log: Logger;
}

/**
 * The gateway-wide state behind the tools: pending approvals and grants, background processes, MCP
 * connections, the browser. One per gateway, created on first use and closed when the gateway stops.
 */
export class ToolHost {
  readonly approvals: ExecApprovals;
  readonly processes = new ProcessRegistry();
  private readonly closers: (() => Promise<void>)[] = [];
  private mcp: Promise<McpManager> | undefined;
  private browserManager: Promise<BrowserManager> | undefined;

  constructor(readonly deps: ToolHostDeps) {
    this.approvals = new ExecApprovals({
      grantsFile: join(deps.stateDir, "exec-approvals.json"),
      broadcast: deps.broadcast,
    });
  }

  /** Every tool run lands in the gateway log (and the transcript holds its result). */
  recordRun(run: ToolRunRecord): void {
    this.deps.log.info({ toolRun: run }, `tool ${run.tool} ${run.isError ? "failed" : "ran"}`);
  }

  /** Tools of the configured MCP servers (the SDK and the servers start on first use). */
  async mcpTools(config: McpConfig): Promise<AgentTool[]> {
    if (Object.keys(config.servers).length === 0 && !this.mcp) return [];
    if (!this.mcp) {
      this.mcp = import("./mcp/mcp-manager.js").then(({ McpManager }) => {
        const manager = new McpManager(this.deps.log);
        this.onClose(() => manager.close());
        return manager;
      });
    }
    return (await this.mcp).tools(config);
  }

  /** The browser manager (Chromium starts only when a browser action needs it). */
  browser(): Promise<BrowserManager> {
    this.browserManager ??= import("./browser/browser-manager.js").then(({ BrowserManager }) => {
      const manager = new BrowserManager(this.deps.stateDir);
      this.onClose(() => manager.close());
      return manager;
    });
    return this.browserManager;
  }

  /** Registers a resource (MCP client, browser) to close with the host. */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    this.approvals.close();
    await this.processes.closeAll();
    for (const close of this.closers.splice(0)) {
      try {
        await close();
      } catch (err) {
        this.deps.log.warn({ err }, "closing a tool resource failed");
      }
    }
  }
}

const hosts = new WeakMap<GatewayServices, ToolHost>();

/** The tool host of this gateway (created on first use, so start-up pays nothing for it). */
export function toolHostFor(services: GatewayServices): ToolHost {
  let host = hosts.get(services);
  if (!host) {
    host = new ToolHost({
      stateDir: services.paths.stateDir,
      broadcast: (event, payload) => services.events.broadcast(event, payload),
      log: services.log,
    });
    hosts.set(services, host);
  }
  return host;
}

/** Stops background processes, denies pending approvals, closes MCP servers and the browser. */
export async function closeToolHost(services: GatewayServices): Promise<void> {
  const host = hosts.get(services);
  if (!host) return;
  hosts.delete(services);
  await host.close();
}
