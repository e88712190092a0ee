import { DEFAULT_SANDBOX_TOOLS, MCP_GROUP_NAMES, TOOL_ALIASES, TOOL_GROUPS, TOOL_PROFILES } from "./catalog.js";
import type { AgentToolsConfig, ToolPolicyLayer, ToolProfile, ToolsConfig } from "./config-schema.js";

/**
 * Which tools a run may call. A tool must pass every layer, in order:
 *
 *   tools (profile, allow/alsoAllow, deny) → tools.byProvider[provider/model | provider]
 *   → agents.list[].tools → agents.list[].tools.byProvider → tools.sandbox.tools (sandboxed sessions only)
 *
 * In each layer `allow` (when set) is the allowlist, otherwise the profile plus `alsoAllow` (no profile: all),
 * and `deny` always wins. Names are case-insensitive, `*` is a wildcard, `group:x` names a group.
 */

export interface ToolIdentity {
  name: string;
  /** For MCP tools: the server they come from (its config key). */
  mcpServer?: string;
}

export interface PolicyContext {
  tools: ToolsConfig;
  agentTools?: AgentToolsConfig | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  sandboxed: boolean;
}

export interface PolicyDecision {
  allowed: boolean;
  /** The config key that excluded the tool, e.g. "tools.deny" or "tools.byProvider.openai.allow". */
  deniedBy?: string;
}

interface Layer {
  key: string;
  profile?: ToolProfile | undefined;
  allow?: readonly string[] | undefined;
  alsoAllow?: readonly string[] | undefined;
  deny?: readonly string[] | undefined;
}

export function effectiveProfile(ctx: PolicyContext): ToolProfile | undefined {
  return ctx.agentTools?.profile ?? ctx.tools.profile;
}

export function decideTool(tool: ToolIdentity, ctx: PolicyContext): PolicyDecision {
  for (const layer of policyLayers(ctx)) {
    const deniedBy = checkLayer(tool, layer);
    if (deniedBy) return { allowed: false, deniedBy };
  }
  return { allowed: true };
}

function policyLayers(ctx: PolicyContext): Layer[] {
  const layers: Layer[] = [
    {
      key: "tools",
      profile: effectiveProfile(ctx),
      allow: ctx.tools.allow,
      alsoAllow: [...(ctx.tools.alsoAllow ?? []), ...(ctx.agentTools?.alsoAllow ?? [])],
      deny: ctx.tools.deny,
    },
  ];
  const providerLayer = (byProvider: Record<string, ToolPolicyLayer> | undefined, base: string) => {
    if (!byProvider || !ctx.provider) return;
    const exact = ctx.model ? `${ctx.provider}/${ctx.model}` : undefined;
    const hit = findKey(byProvider, exact) ?? findKey(byProvider, ctx.provider);
    if (hit) layers.push({ key: `${base}.byProvider.${hit[0]}`, ...hit[1] });
  };
  providerLayer(ctx.tools.byProvider, "tools");
  if (ctx.agentTools) {
    layers.push({ key: "agents.list[].tools", allow: ctx.agentTools.allow, deny: ctx.agentTools.deny });
    providerLayer(ctx.agentTools.byProvider, "agents.list[].tools");
  }
  if (ctx.sandboxed) {
    const gate = ctx.tools.sandbox.tools;
    layers.push({
      key: "tools.sandbox.tools",
      allow: gate?.allow ?? [...DEFAULT_SANDBOX_TOOLS, ...(gate?.alsoAllow ?? [])],
      deny: gate?.deny,
    });
  }
  return layers;
}

function findKey<T>(record: Record<string, T>, key: string | undefined): [string, T] | undefined {
  if (!key) return undefined;
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(record)) if (k.toLowerCase() === lower) return [k, v];
  return undefined;
}

/** Returns the config key that excludes the tool in this layer, or undefined when the layer lets it through. */
function checkLayer(tool: ToolIdentity, layer: Layer): string | undefined {
  if (layer.deny && matchesAny(tool, layer.deny)) return `${layer.key}.deny`;
  if (layer.allow) return matchesAny(tool, layer.allow) ? undefined : `${layer.key}.allow`;
  if (!layer.profile) return undefined;
  if (inProfile(tool, layer.profile) || (layer.alsoAllow && matchesAny(tool, layer.alsoAllow))) return undefined;
  return `${layer.key}.profile (${layer.profile})`;
}

function inProfile(tool: ToolIdentity, profile: ToolProfile): boolean {
  const def = TOOL_PROFILES[profile];
  if (def.tools === null) return true;
  if (tool.mcpServer) return def.mcp;
  return matchesAny(tool, def.tools);
}

export function matchesAny(tool: ToolIdentity, patterns: readonly string[]): boolean {
  return patterns.some((p) => matchesPattern(tool, p));
}

export function matchesPattern(tool: ToolIdentity, rawPattern: string): boolean {
  const pattern = rawPattern.trim().toLowerCase();
  const name = tool.name.toLowerCase();
  if (MCP_GROUP_NAMES.has(pattern)) return tool.mcpServer !== undefined;
  const group = TOOL_GROUPS[pattern];
  if (group) return !tool.mcpServer && group.includes(name);
  const target = TOOL_ALIASES[pattern] ?? pattern;
  if (!target.includes("*")) return target === name;
  return globToRegExp(target).test(name);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}
