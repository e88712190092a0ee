import { createHash } from "node:crypto";
import { join } from "node:path";
import { expandHome } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { normalizeAgentId, parseSessionKey } from "../sessions/keys.js";
import type { SandboxConfig } from "./config-schema.js";

/** Where the sandbox workspace appears inside the sandbox, whatever the backend. */
export const SANDBOX_WORKSPACE_DIR = "/workspace";

/** Everything a backend needs to run one session's commands: resolved once per turn from the config. */
export interface SandboxPlan {
  backend: "bwrap" | "docker";
  /** Stable id of this sandbox (per session, per agent, or shared, by `scope`); names dirs and containers. */
  id: string;
  /** Host folder mounted at /workspace. */
  hostWorkspace: string;
  workspaceAccess: "none" | "ro" | "rw";
  network: "none" | "host";
  pidsLimit: number;
  memoryMb: number;
  fileSizeMb: number;
  docker: { image: string; containerPrefix: string };
}

export interface SandboxInputs {
  config: PincerConfig;
  stateDir: string;
  agentId: string;
  agentWorkspace: string;
  sessionKey: string;
}

/** The effective sandbox config for an agent: agents.defaults.sandbox with agents.list[].sandbox on top. */
export function agentSandboxConfig(config: PincerConfig, agentId: string): SandboxConfig {
  const base = config.agents.defaults.sandbox;
  const entry = config.agents.list.find((a) => normalizeAgentId(a.id) === agentId)?.sandbox;
  if (!entry) return base;
  const merged = { ...base };
  for (const [k, v] of Object.entries(entry)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return merged;
}

/** True when this session's tools must run sandboxed (mode all, or non-main and this is not the main session). */
export function isSandboxedSession(config: PincerConfig, agentId: string, sessionKey: string): boolean {
  const mode = agentSandboxConfig(config, agentId).mode;
  if (mode === "off") return false;
  if (mode === "all") return true;
  const parsed = parseSessionKey(sessionKey, { defaultAgentId: agentId, mainKey: config.session.mainKey });
  return parsed.kind !== "main";
}

/** The sandbox for a session, or undefined when its tools run on the host. */
export function resolveSandboxPlan(inputs: SandboxInputs): SandboxPlan | undefined {
  if (!isSandboxedSession(inputs.config, inputs.agentId, inputs.sessionKey)) return undefined;
  const cfg = agentSandboxConfig(inputs.config, inputs.agentId);
  const id =
    cfg.scope === "shared"
      ? "shared"
      : cfg.scope === "agent"
        ? `agent-${inputs.agentId}`
        : `session-${inputs.agentId}-${shortHash(inputs.sessionKey)}`;
  const root = cfg.workspaceRoot ? expandHome(cfg.workspaceRoot) : join(inputs.stateDir, "sandboxes");
  return {
    backend: cfg.backend,
    id,
    hostWorkspace: cfg.workspaceAccess === "none" ? join(root, id) : inputs.agentWorkspace,
    workspaceAccess: cfg.workspaceAccess,
    network: cfg.network,
    pidsLimit: cfg.pidsLimit,
    memoryMb: cfg.memoryMb,
    fileSizeMb: cfg.fileSizeMb,
    docker: { image: cfg.docker.image, containerPrefix: cfg.docker.containerPrefix },
  };
}

export function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 12);
}
