import type { ToolProfile } from "./config-schema.js";

/**
 * What Pincer knows about tool names before any tool object exists: groups, profiles and catalog entries.
 * Group and profile names are OpenClaw's, so `group:fs` or `profile: "coding"` in an imported config means
 * the same tools here. Names of OpenClaw tools Pincer does not ship stay in the groups: they match nothing.
 */

export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  "group:runtime": ["exec", "process", "code_execution"],
  "group:fs": ["read", "write", "edit", "apply_patch"],
  "group:sessions": ["sessions_list", "sessions_history", "sessions_send", "sessions_spawn", "session_status"],
  "group:memory": ["memory_search", "memory_get"],
  /** Reading a skill's SKILL.md: without it the skills listed in the prompt cannot be used. */
  "group:skills": ["skill_read"],
  "group:web": ["web_search", "web_fetch"],
  "group:ui": ["browser"],
  "group:automation": ["cron", "gateway", "heartbeat_respond"],
  "group:messaging": ["message"],
};

/** Names that stand for the tools of every configured MCP server. */
export const MCP_GROUP_NAMES: ReadonlySet<string> = new Set(["group:plugins", "group:mcp", "bundle-mcp"]);

/** OpenClaw accepts `bash` for `exec`. */
export const TOOL_ALIASES: Readonly<Record<string, string>> = { bash: "exec" };

interface ProfileDef {
  label: string;
  /** Tool names and groups the profile selects; null selects everything. */
  tools: readonly string[] | null;
  /** Whether MCP server tools are in the profile. */
  mcp: boolean;
}

export const TOOL_PROFILES: Readonly<Record<ToolProfile, ProfileDef>> = {
  minimal: { label: "Minimal", tools: ["session_status"], mcp: false },
  coding: {
    label: "Coding",
    tools: ["group:fs", "group:runtime", "group:web", "group:sessions", "group:memory", "group:skills", "cron"],
    mcp: true,
  },
  messaging: {
    label: "Messaging",
    tools: ["group:messaging", "group:skills", "sessions_list", "sessions_history", "sessions_send", "session_status"],
    mcp: true,
  },
  full: { label: "Full", tools: null, mcp: true },
};

/**
 * What a sandboxed session may use when `tools.sandbox.tools` is not configured: work inside the sandbox and
 * read the web, but no browser, no messaging other people, no driving other sessions, no MCP servers.
 */
export const DEFAULT_SANDBOX_TOOLS: readonly string[] = [
  "group:runtime",
  "group:fs",
  "group:web",
  "group:memory",
  "group:skills",
  "sessions_list",
  "sessions_history",
  "session_status",
];

export type ToolRisk = "low" | "medium" | "high";

export interface CoreToolInfo {
  id: string;
  label: string;
  group: string;
  risk: ToolRisk;
}

/** The core tools Pincer ships, in catalog order. */
export const CORE_TOOLS: readonly CoreToolInfo[] = [
  { id: "read", label: "Read file", group: "group:fs", risk: "low" },
  { id: "write", label: "Write file", group: "group:fs", risk: "medium" },
  { id: "edit", label: "Edit file", group: "group:fs", risk: "medium" },
  { id: "apply_patch", label: "Apply patch", group: "group:fs", risk: "medium" },
  { id: "exec", label: "Run command", group: "group:runtime", risk: "high" },
  { id: "process", label: "Background processes", group: "group:runtime", risk: "medium" },
  { id: "web_fetch", label: "Fetch web page", group: "group:web", risk: "low" },
  { id: "web_search", label: "Web search", group: "group:web", risk: "low" },
  { id: "browser", label: "Browser", group: "group:ui", risk: "high" },
  { id: "sessions_list", label: "List sessions", group: "group:sessions", risk: "low" },
  { id: "sessions_history", label: "Session history", group: "group:sessions", risk: "low" },
  { id: "sessions_send", label: "Send to session", group: "group:sessions", risk: "medium" },
  { id: "session_status", label: "Session status", group: "group:sessions", risk: "low" },
  { id: "memory_search", label: "Search memory", group: "group:memory", risk: "low" },
  { id: "memory_get", label: "Read memory", group: "group:memory", risk: "low" },
  { id: "skill_read", label: "Read skill", group: "group:skills", risk: "low" },
];

const GROUP_LABELS: Readonly<Record<string, string>> = {
  "group:fs": "Files",
  "group:runtime": "Runtime",
  "group:web": "Web",
  "group:ui": "Browser",
  "group:sessions": "Sessions",
  "group:memory": "Memory",
  "group:skills": "Skills",
  "group:automation": "Automation",
  "group:messaging": "Messaging",
};

export function groupLabel(group: string): string {
  return GROUP_LABELS[group] ?? group.replace(/^group:/, "");
}

/** The group a core tool belongs to (its first), for display. */
export function groupOf(tool: string): string | undefined {
  for (const [group, members] of Object.entries(TOOL_GROUPS)) if (members.includes(tool)) return group;
  return undefined;
}

/** Profiles whose selection contains this core tool. */
export function profilesContaining(tool: string): ToolProfile[] {
  const out: ToolProfile[] = [];
  for (const [id, def] of Object.entries(TOOL_PROFILES) as [ToolProfile, ProfileDef][]) {
    if (def.tools === null || def.tools.some((t) => t === tool || TOOL_GROUPS[t]?.includes(tool))) out.push(id);
  }
  return out;
}

/** The MCP tool name an agent sees: `<server>__<tool>`, with the server part made provider-safe. */
export function mcpToolName(server: string, tool: string): string {
  return `${mcpServerPrefix(server)}__${tool.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

export function mcpServerPrefix(server: string): string {
  const safe = server.replace(/[^A-Za-z0-9_-]/g, "-").toLowerCase();
  return /^[a-z]/.test(safe) ? safe : `mcp-${safe}`;
}
