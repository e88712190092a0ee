import type { PincerConfig } from "../config/schema.js";
import type { ExecBackend } from "../sandbox/backend.js";
import { BwrapBackend } from "../sandbox/bwrap.js";
import { DockerBackend } from "../sandbox/docker.js";
import { HostBackend } from "../sandbox/host.js";
import { resolveSandboxPlan, SANDBOX_WORKSPACE_DIR, type SandboxPlan } from "../sandbox/plan.js";
import { applyPatchTool } from "./apply-patch.js";
import { BrowserConfigSchema } from "./browser/browser-config.js";
import { browserTool } from "./browser/browser-tool.js";
import { editTool } from "./edit.js";
import { execTool } from "./exec.js";
import { agentToolsConfig, elevatedAllowed, resolveExecPolicy } from "./exec-settings.js";
import { guardTool } from "./guard.js";
import { type ChannelSender, messageTool } from "./message.js";
import { decideTool, effectiveProfile, type PolicyContext, type PolicyDecision } from "./policy.js";
import { processTool } from "./process.js";
import { readTool } from "./read.js";
import { type SessionsAccess, sessionsHistoryTool, sessionsListTool, sessionsSendTool } from "./sessions-tools.js";
import type { AgentTool } from "./tool.js";
import type { ToolHost } from "./tool-host.js";
import { webFetchTool } from "./web-fetch.js";
import { resolveSearchBackend, webSearchTool } from "./web-search.js";
import type { FsToolEnv } from "./workspace-files.js";
import { writeTool } from "./write.js";

export interface AssembleInput {
  config: PincerConfig;
  stateDir: string;
  agentId: string;
  agentWorkspace: string;
  sessionKey: string;
  /** The model the turn starts on, for tools.byProvider. */
  provider?: string | undefined;
  model?: string | undefined;
  access: SessionsAccess;
  host: ToolHost;
  /** The channel manager, when channels run (the message tool sends through it). */
  channels?: () => ChannelSender | undefined;
  /** Tools the runtime itself provides (session_status …); they go through the same policy. */
  extra?: AgentTool[];
}

export interface ToolCandidate {
  tool: AgentTool;
  decision: PolicyDecision;
}

export interface AssembledTools {
  /** What the model gets: allowed, guarded (recorded, capped). */
  tools: AgentTool[];
  /** Every candidate with its policy decision, for tools.effective. */
  candidates: ToolCandidate[];
  sandbox?: SandboxPlan;
  profile: string;
}

/**
 * The tools of one session for one turn: the sandbox decides where exec and the file tools work, the policy
 * layers decide which tools exist at all, and every tool is wrapped to record its runs and cap its results.
 */
export async function assembleTools(input: AssembleInput): Promise<AssembledTools> {
  const { config } = input;
  const sandbox = resolveSandboxPlan({
    config,
    stateDir: input.stateDir,
    agentId: input.agentId,
    agentWorkspace: input.agentWorkspace,
    sessionKey: input.sessionKey,
  });
  const policyCtx: PolicyContext = {
    tools: config.tools,
    agentTools: agentToolsConfig(config, input.agentId),
    provider: input.provider,
    model: input.model,
    sandboxed: sandbox !== undefined,
  };
  const allowed = (name: string) => decideTool({ name }, policyCtx).allowed;

  const fsEnv: FsToolEnv = sandbox
    ? {
        workspace: { dir: sandbox.hostWorkspace, virtualDir: SANDBOX_WORKSPACE_DIR },
        writable: sandbox.workspaceAccess !== "ro",
      }
    : { workspace: { dir: input.agentWorkspace }, writable: true };
  const execCfg = config.tools.exec;
  const core: AgentTool[] = [
    readTool(fsEnv),
    writeTool(fsEnv),
    editTool(fsEnv),
    applyPatchTool(fsEnv),
    execTool({
      agentId: input.agentId,
      sessionKey: input.sessionKey,
      config: execCfg,
      policy: resolveExecPolicy(config, input.agentId),
      sandbox: sandbox ? { plan: sandbox, backend: backendFor(sandbox) } : undefined,
      host: new HostBackend(execCfg.pathPrepend ?? []),
      hostWorkspace: input.agentWorkspace,
      elevatedAllowed: elevatedAllowed(config, input.agentId, input.sessionKey),
      backgroundAllowed: allowed("process"),
      approvals: input.host.approvals,
      processes: input.host.processes,
    }),
    processTool({ agentId: input.agentId, registry: input.host.processes, cleanupMs: execCfg.cleanupMs }),
    ...(config.tools.web.fetch.enabled ? [webFetchTool(config.tools.web.fetch)] : []),
    ...searchTools(config),
    ...browserTools(config, input.host),
    // Offered only while channels run: without them there is nobody to message.
    ...(input.channels?.() ? [messageTool({ channels: input.channels })] : []),
    sessionsListTool({ agentId: input.agentId, sessionKey: input.sessionKey, access: input.access }),
    sessionsHistoryTool({ agentId: input.agentId, sessionKey: input.sessionKey, access: input.access }),
    sessionsSendTool({ agentId: input.agentId, sessionKey: input.sessionKey, access: input.access }),
  ];
  const all = [...core, ...(input.extra ?? []), ...(await input.host.mcpTools(config.mcp))];
  const candidates = all.map((tool) => ({
    tool,
    decision: decideTool(
      tool.source?.kind === "mcp" ? { name: tool.name, mcpServer: tool.source.server } : { name: tool.name },
      policyCtx,
    ),
  }));
  const record = (run: Parameters<ToolHost["recordRun"]>[0]) => input.host.recordRun(run);
  const tools = candidates
    .filter((c) => c.decision.allowed)
    .map((c) => guardTool(c.tool, { maxResultChars: config.tools.maxResultChars, record }));
  return {
    tools,
    candidates,
    ...(sandbox ? { sandbox } : {}),
    profile: effectiveProfile(policyCtx) ?? "full",
  };
}

/** web_search when enabled and a backend has credentials (config or environment). */
function searchTools(config: PincerConfig): AgentTool[] {
  const cfg = config.tools.web.search;
  const backend = cfg.enabled ? resolveSearchBackend(cfg, process.env) : undefined;
  return backend ? [webSearchTool(cfg, backend)] : [];
}

/** The browser tool, unless browser.enabled is false; a malformed browser section leaves it out with a warning. */
function browserTools(config: PincerConfig, host: ToolHost): AgentTool[] {
  const parsed = BrowserConfigSchema.safeParse(config.browser ?? {});
  if (!parsed.success) {
    host.deps.log.warn(
      { issues: parsed.error.issues },
      "the browser section of the config is invalid; no browser tool",
    );
    return [];
  }
  if (!parsed.data.enabled) return [];
  return [browserTool({ manager: () => host.browser(), config: parsed.data })];
}

function backendFor(plan: SandboxPlan): ExecBackend {
  return plan.backend === "docker" ? new DockerBackend(plan) : new BwrapBackend(plan);
}
