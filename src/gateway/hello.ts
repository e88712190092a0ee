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
    features: { methods: services.methodNames(), events: GATEWAY_EVENTS, capabilities: ["published-model-catalog"] },
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

/** The role a WebChat visitor connection holds (in hello-ok `auth.role`); it carries no operator scope. */
export const VISITOR_ROLE = "webchat-visitor";

/**
 * hello-ok for a WebChat visitor: the same shape, but nothing about the gateway a stranger should not see
 * (no presence list, health, paths or config hash). `sessionDefaults.mainSessionKey` is the visitor's own
 * session, so chat clients that open "the main session" open theirs.
 */
export function buildVisitorHello(
  services: GatewayServices,
  connId: string,
  visitor: { visitorId: string; agentId: string; sessionKey: string },
  webchat: { greeting?: string; dmPolicy: string; maxMessageChars: number; methods: readonly string[] },
) {
  const { config } = services.config.current;
  return {
    type: "hello-ok" as const,
    protocol: PROTOCOL_VERSION,
    server: { version: services.version, connId, bootId: services.bootId },
    features: { methods: [...webchat.methods], events: ["tick", "shutdown", "chat", "agent"] },
    snapshot: {
      presence: [],
      stateVersion: { presence: 0, health: 0 },
      uptimeMs: Date.now() - services.startedAt,
      sessionDefaults: {
        defaultAgentId: visitor.agentId,
        mainKey: config.session.mainKey,
        mainSessionKey: visitor.sessionKey,
        scope: "per-sender",
      },
      webchat: {
        visitorId: visitor.visitorId,
        dmPolicy: webchat.dmPolicy,
        maxMessageChars: webchat.maxMessageChars,
        ...(webchat.greeting ? { greeting: webchat.greeting } : {}),
      },
    },
    auth: { role: VISITOR_ROLE, scopes: [] as string[] },
    policy: {
      maxPayload: config.gateway.maxPayloadBytes,
      maxBufferedBytes: config.gateway.maxBufferedBytes,
      tickIntervalMs: config.gateway.tickIntervalMs,
    },
  };
}
