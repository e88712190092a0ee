import type { PincerConfig } from "../config/schema.js";
import { normalizeAgentId, parseSessionKey } from "../sessions/keys.js";
import { type ExecPolicy, modeToPolicy } from "./approvals/exec-decision.js";
import type { AgentToolsConfig } from "./config-schema.js";

/** The per-agent tool settings (agents.list[].tools), when the agent has any. */
export function agentToolsConfig(config: PincerConfig, agentId: string): AgentToolsConfig | undefined {
  return config.agents.list.find((a) => normalizeAgentId(a.id) === agentId)?.tools;
}

/**
 * The exec approval policy of an agent: agents.list[].tools.exec over tools.exec; explicit security/ask over
 * OpenClaw's `mode` shorthand; with nothing set, commands on the host run without asking (OpenClaw's default).
 */
export function resolveExecPolicy(config: PincerConfig, agentId: string): ExecPolicy {
  const exec = config.tools.exec;
  const agent = agentToolsConfig(config, agentId)?.exec;
  const fromMode = exec.mode ? modeToPolicy(exec.mode) : undefined;
  return {
    security: agent?.security ?? exec.security ?? fromMode?.security ?? "full",
    ask: agent?.ask ?? exec.ask ?? fromMode?.ask ?? "off",
    askFallback: exec.askFallback,
    allowlist: [...exec.allowlist, ...(agent?.allowlist ?? [])],
  };
}

/**
 * Elevated exec (run on the host from a sandboxed session) needs tools.elevated.enabled, an agent that does
 * not switch it off, and a session whose sender is listed in tools.elevated.allowFrom[channel].
 */
export function elevatedAllowed(config: PincerConfig, agentId: string, sessionKey: string): boolean {
  const elevated = config.tools.elevated;
  if (!elevated.enabled || agentToolsConfig(config, agentId)?.elevated?.enabled === false) return false;
  const parsed = parseSessionKey(sessionKey, { defaultAgentId: agentId, mainKey: config.session.mainKey });
  if (!parsed.channel || !parsed.peerId) return false;
  const allowed = elevated.allowFrom[parsed.channel] ?? [];
  return allowed.includes("*") || allowed.some((id) => id.toLowerCase() === parsed.peerId?.toLowerCase());
}
