import { describe, expect, it } from "vitest";
import { AgentToolsConfigSchema, ToolsConfigSchema } from "./config-schema.js";
import { decideTool, type PolicyContext } from "./policy.js";

const ctx = (tools: unknown, extra: Partial<PolicyContext> = {}): PolicyContext => ({
  tools: ToolsConfigSchema.parse(tools),
  sandboxed: false,
  ...extra,
});

const allowed = (name: string, c: PolicyContext, mcpServer?: string) =>
  decideTool(mcpServer ? { name, mcpServer } : { name }, c);

describe("tool policy", () => {
  it("with nothing configured, every tool is allowed", () => {
    for (const t of ["exec", "read", "browser", "anything"]) expect(allowed(t, ctx({})).allowed).toBe(true);
  });

  it.each([
    ["minimal", "session_status", true],
    ["minimal", "exec", false],
    ["coding", "exec", true],
    ["coding", "apply_patch", true],
    ["coding", "browser", false],
    ["coding", "message", false],
    ["messaging", "message", true],
    ["messaging", "exec", false],
    ["messaging", "sessions_send", true],
    ["full", "browser", true],
  ])("profile %s: %s allowed=%s", (profile, tool, expected) => {
    expect(allowed(tool, ctx({ profile })).allowed).toBe(expected);
  });

  it("deny wins over allow, profile and alsoAllow", () => {
    const c = ctx({ profile: "coding", alsoAllow: ["browser"], deny: ["browser", "exec"] });
    expect(allowed("browser", c)).toEqual({ allowed: false, deniedBy: "tools.deny" });
    expect(allowed("exec", c).allowed).toBe(false);
    expect(allowed("read", c).allowed).toBe(true);
    expect(allowed("exec", ctx({ allow: ["exec"], deny: ["group:runtime"] })).allowed).toBe(false);
  });

  it("alsoAllow extends a profile; allow replaces it", () => {
    expect(allowed("browser", ctx({ profile: "coding", alsoAllow: ["browser"] })).allowed).toBe(true);
    const onlyRead = ctx({ profile: "full", allow: ["read"] });
    expect(allowed("read", onlyRead).allowed).toBe(true);
    expect(allowed("write", onlyRead)).toEqual({ allowed: false, deniedBy: "tools.allow" });
  });

  it("names are case-insensitive, support * and the bash alias", () => {
    expect(allowed("exec", ctx({ deny: ["BASH"] })).allowed).toBe(false);
    expect(allowed("sessions_send", ctx({ deny: ["sessions_*"] })).allowed).toBe(false);
    expect(allowed("session_status", ctx({ deny: ["sessions_*"] })).allowed).toBe(true);
    expect(allowed("web_fetch", ctx({ allow: ["WEB_*"] })).allowed).toBe(true);
  });

  it("a regex-looking pattern is matched literally", () => {
    expect(allowed("exec", ctx({ deny: ["e.ec"] })).allowed).toBe(true);
    expect(allowed("exec", ctx({ deny: ["(exec)"] })).allowed).toBe(true);
  });

  it("byProvider narrows for a provider, and provider/model wins over provider", () => {
    const c = ctx({
      profile: "coding",
      byProvider: { anthropic: { profile: "minimal" }, "openai/gpt-x": { allow: ["group:fs"] } },
    });
    expect(allowed("exec", { ...c, provider: "anthropic", model: "claude" })).toEqual({
      allowed: false,
      deniedBy: "tools.byProvider.anthropic.profile (minimal)",
    });
    expect(allowed("exec", { ...c, provider: "openai", model: "gpt-x" }).allowed).toBe(false);
    expect(allowed("read", { ...c, provider: "openai", model: "gpt-x" }).allowed).toBe(true);
    expect(allowed("exec", { ...c, provider: "openai", model: "other" }).allowed).toBe(true);
  });

  it("per-agent tools narrow further and can override the profile", () => {
    const agentTools = AgentToolsConfigSchema.parse({ profile: "messaging", deny: ["sessions_send"] });
    const c = ctx({ profile: "full" }, { agentTools });
    expect(allowed("exec", c).allowed).toBe(false);
    expect(allowed("sessions_send", c)).toEqual({ allowed: false, deniedBy: "agents.list[].tools.deny" });
    expect(allowed("sessions_list", c).allowed).toBe(true);
  });

  it("sandboxed sessions pass the sandbox gate: no browser, messaging or MCP by default", () => {
    const c = ctx({}, { sandboxed: true });
    expect(allowed("exec", c).allowed).toBe(true);
    expect(allowed("read", c).allowed).toBe(true);
    expect(allowed("web_fetch", c).allowed).toBe(true);
    expect(allowed("browser", c)).toEqual({ allowed: false, deniedBy: "tools.sandbox.tools.allow" });
    expect(allowed("sessions_send", c).allowed).toBe(false);
    expect(allowed("message", c).allowed).toBe(false);
    expect(allowed("files__read_file", c, "files").allowed).toBe(false);
    const opened = ctx({ sandbox: { tools: { alsoAllow: ["files__*"] } } }, { sandboxed: true });
    expect(allowed("files__read_file", opened, "files").allowed).toBe(true);
    expect(allowed("exec", opened).allowed).toBe(true);
  });

  it("MCP tools: group:plugins / bundle-mcp / server globs; in coding and messaging, not in minimal", () => {
    expect(allowed("mem__read_graph", ctx({ profile: "coding" }), "mem").allowed).toBe(true);
    expect(allowed("mem__read_graph", ctx({ profile: "minimal" }), "mem").allowed).toBe(false);
    expect(allowed("mem__read_graph", ctx({ deny: ["group:plugins"] }), "mem").allowed).toBe(false);
    expect(allowed("mem__read_graph", ctx({ deny: ["bundle-mcp"] }), "mem").allowed).toBe(false);
    expect(allowed("mem__read_graph", ctx({ deny: ["mem__*"] }), "mem").allowed).toBe(false);
    expect(allowed("mem__read_graph", ctx({ deny: ["group:fs"] }), "mem").allowed).toBe(true);
    // A core tool is never matched by the MCP group names.
    expect(allowed("read", ctx({ deny: ["group:plugins"] })).allowed).toBe(true);
  });

  it("the config rejects allow together with alsoAllow in one scope", () => {
    expect(ToolsConfigSchema.safeParse({ allow: ["read"], alsoAllow: ["exec"] }).success).toBe(false);
    expect(ToolsConfigSchema.safeParse({ byProvider: { x: { allow: ["a"], alsoAllow: ["b"] } } }).success).toBe(false);
  });
});
