import type { StatePaths } from "../config/paths.js";
import type { ConfigStore } from "../config/store.js";
import type { Logger } from "../logging/logger.js";
import type { AuthFailureLimiter, ResolvedAuth } from "./auth.js";
import type { EventHub } from "./events.js";
import type { PresenceRegistry } from "./presence.js";

/**
 * What method handlers and HTTP routes can reach. Built once in server.ts and passed explicitly; subsystems
 * that start later (agent runtime, channels) are added here as they land.
 */
export interface GatewayServices {
  version: string;
  bootId: string;
  startedAt: number;
  paths: StatePaths;
  config: ConfigStore;
  log: Logger;
  logFile?: string;
  auth: ResolvedAuth;
  /** Failed gateway-credential attempts per address, shared by the WebSocket and the HTTP APIs that take them. */
  authLimiter: AuthFailureLimiter;
  events: EventHub;
  /** The hash-chained audit log (src/ops/audit-log.ts). */
  audit?: import("../ops/audit-log.js").AuditLog;
  presence: PresenceRegistry;
  /** Names of every registered method, for hello-ok features. */
  methodNames: () => string[];
  /** Resolved bind address and port, once listening. */
  address: () => { host: string; port: number };
  /** Fires when the gateway begins shutting down. */
  shutdownSignal: AbortSignal;
  /** Health counter bumped on every health change (hello-ok stateVersion.health). */
  healthVersion: number;
  /** The agent runtime, when started (lazy so start-up pays nothing for it). */
  agent?: import("../agent/runtime.js").AgentRuntime;
  /** The channel manager, when channels are configured (lazy: no channel code loads otherwise). */
  channels?: import("../channels/manager.js").ChannelManager;
  /** Cron, heartbeat, webhook wakes: system events and scheduled turns (src/automation). */
  automation?: import("../automation/automation.js").Automation;
}
