import type { AssembledTools, ToolCandidate } from "./assemble.js";
import { CORE_TOOLS, groupLabel, groupOf, profilesContaining, TOOL_PROFILES } from "./catalog.js";
import type { ToolProfile } from "./config-schema.js";

/**
 * The wire shapes of tools.catalog and tools.effective (OpenClaw's ToolsCatalogResult / ToolsEffectiveResult),
 * built from the assembled candidates so descriptions come from the tools themselves.
 */

const coreInfo = new Map(CORE_TOOLS.map((t) => [t.id, t]));

function label(id: string): string {
  return coreInfo.get(id)?.label ?? id.replace(/_/g, " ");
}

export function catalogView(assembled: AssembledTools, agentId: string, includePlugins: boolean) {
  const groups = new Map<string, ReturnType<typeof catalogEntry>[]>();
  const mcpGroups = new Map<string, ReturnType<typeof catalogEntry>[]>();
  for (const c of assembled.candidates) {
    if (c.tool.source?.kind === "mcp") {
      if (!includePlugins) continue;
      const list = mcpGroups.get(c.tool.source.server) ?? [];
      list.push(catalogEntry(c));
      mcpGroups.set(c.tool.source.server, list);
      continue;
    }
    const group = groupOf(c.tool.name) ?? "group:other";
    const list = groups.get(group) ?? [];
    list.push(catalogEntry(c));
    groups.set(group, list);
  }
  return {
    agentId,
    profiles: (Object.keys(TOOL_PROFILES) as ToolProfile[]).map((id) => ({ id, label: TOOL_PROFILES[id].label })),
    groups: [
      ...[...groups].map(([id, tools]) => ({ id, label: groupLabel(id), source: "core" as const, tools })),
      ...[...mcpGroups].map(([server, tools]) => ({
        id: `mcp:${server}`,
        label: `MCP: ${server}`,
        source: "plugin" as const,
        pluginId: "bundle-mcp",
        tools,
      })),
    ],
  };
}

function catalogEntry(c: ToolCandidate) {
  const mcp = c.tool.source?.kind === "mcp";
  const risk = coreInfo.get(c.tool.name)?.risk;
  return {
    id: c.tool.name,
    label: label(c.tool.name),
    description: c.tool.description,
    source: mcp ? ("plugin" as const) : ("core" as const),
    ...(mcp ? { pluginId: "bundle-mcp" } : {}),
    ...(risk ? { risk } : {}),
    defaultProfiles: mcp ? (["coding", "messaging", "full"] as ToolProfile[]) : profilesContaining(c.tool.name),
  };
}

interface EffectiveEntry {
  id: string;
  label: string;
  description: string;
  rawDescription: string;
  source: "core" | "mcp";
  mcpServer?: string;
  mcpToolName?: string;
  risk?: string;
}

export function effectiveView(assembled: AssembledTools, agentId: string) {
  const core: EffectiveEntry[] = [];
  const mcp: EffectiveEntry[] = [];
  for (const c of assembled.candidates) {
    if (!c.decision.allowed) continue;
    const src = c.tool.source;
    const risk = coreInfo.get(c.tool.name)?.risk;
    const entry: EffectiveEntry = {
      id: c.tool.name,
      label: label(c.tool.name),
      description: c.tool.description,
      rawDescription: c.tool.description,
      source: src?.kind === "mcp" ? ("mcp" as const) : ("core" as const),
      ...(src?.kind === "mcp" ? { mcpServer: src.server, mcpToolName: src.toolName } : {}),
      ...(risk ? { risk } : {}),
    };
    (src?.kind === "mcp" ? mcp : core).push(entry);
  }
  return {
    agentId,
    profile: assembled.profile,
    groups: [
      ...(core.length > 0
        ? [{ id: "core" as const, label: "Built-in tools", source: "core" as const, tools: core }]
        : []),
      ...(mcp.length > 0 ? [{ id: "mcp" as const, label: "MCP servers", source: "mcp" as const, tools: mcp }] : []),
    ],
  };
}
