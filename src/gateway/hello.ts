import { healthSnapshot } from "./health.js";
import { PROTOCOL_VERSION } from "./protocol/frames.js";
import type { GatewayServices } from "./services.js";

/** Events this gateway may send; advertised in hello-ok so clients know what to subscribe to. */
export const GATEWAY_EVENTS = [
  "connect.challenge",
  "tick",
  "presence",
  "health",
  "shutdown",
  "config.changed",
  "chat",
  "agent",
  "heartbeat",
  "cron",
  "exec.approval.requested",
  "exec.approval.resolved",
  "budget",
];

export function buildHello(services: GatewayServices, connId: string, scopes: string[], role: string) {
  const { config } = services.config.current;
  return {
    type: "hello-ok" as const,
    protocol: PROTOCOL_VERSION,
    server: { version: services.version, connId, bootId: services.bootId },
    features: { methods: services.methodNames(), events: GATEWAY_EVENTS },
    snapshot: {
      presence: services.presence.list(),
      health: healthSnapshot(services),
      stateVersion: { presence: services.presence.version, health: services.healthVersion },
      uptimeMs: Date.now() - services.startedAt,
      appliedConfigHash: services.config.current.hash,
      configPath: services.paths.configPath,
      stateDir: services.paths.stateDir,
      authMode: services.auth.mode,
      sessionDefaults: {
        defaultAgentId: defaultAgentId(config),
        mainKey: config.session.mainKey,
        mainSessionKey: `agent:${defaultAgentId(config)}:${config.session.mainKey}`,
        scope: config.session.scope ?? "per-sender",
      },
    },
    auth: { role, scopes },
    policy: {
      maxPayload: config.gateway.maxPayloadBytes,
      maxBufferedBytes: config.gateway.maxBufferedBytes,
      tickIntervalMs: config.gateway.tickIntervalMs,
    },
  };
}

export function defaultAgentId(config: GatewayServices["config"]["current"]["config"]): string {
  const list = config.agents.list;
  return (list.find((a) => a.default) ?? list[0])?.id.toLowerCase() ?? "main";
}
