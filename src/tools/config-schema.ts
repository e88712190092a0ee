import { z } from "zod";

/**
 * `tools.*` and `mcp.*` in pincer.json. Key names are OpenClaw's (tools.profile, tools.allow/deny,
 * tools.byProvider, tools.exec, tools.elevated, tools.web, mcp.servers), so an imported OpenClaw config keeps
 * its meaning. Objects are loose: OpenClaw keys Pincer does not implement (codeMode, media, …) pass through.
 */

export const ToolProfileSchema = z.enum(["minimal", "coding", "messaging", "full"]);
export type ToolProfile = z.infer<typeof ToolProfileSchema>;

const ToolNameList = z.array(z.string().min(1));

const policyFields = {
  profile: ToolProfileSchema.optional(),
  allow: ToolNameList.optional(),
  alsoAllow: ToolNameList.optional(),
  deny: ToolNameList.optional(),
};

const noAllowWithAlsoAllow = (p: { allow?: string[] | undefined; alsoAllow?: string[] | undefined }) =>
  !(p.allow && p.alsoAllow);
const ALLOW_CONFLICT = {
  message: "set either allow or alsoAllow, not both: merge alsoAllow into allow, or use profile + alsoAllow",
};

/** One allow/deny layer: global, per provider, per agent, or the sandbox gate. */
export const ToolPolicyLayerSchema = z.looseObject(policyFields).refine(noAllowWithAlsoAllow, ALLOW_CONFLICT);
export type ToolPolicyLayer = z.infer<typeof ToolPolicyLayerSchema>;

export const ExecSecuritySchema = z.enum(["deny", "allowlist", "full"]);
export const ExecAskSchema = z.enum(["off", "on-miss", "always"]);
export type ExecSecurity = z.infer<typeof ExecSecuritySchema>;
export type ExecAsk = z.infer<typeof ExecAskSchema>;

export const ExecConfigSchema = z
  .looseObject({
    /**
     * Where exec runs for sessions without a sandbox: the gateway host ("auto", "gateway"), or nowhere
     * ("sandbox": refuse rather than run on the host). Sandboxed sessions always stay in their sandbox; only
     * elevated exec (tools.elevated) leaves it.
     */
    host: z.enum(["auto", "sandbox", "gateway"]).default("auto"),
    /** OpenClaw's shorthand for a security/ask pair; explicit security/ask win over it. */
    mode: z.enum(["deny", "allowlist", "ask", "full"]).optional(),
    security: ExecSecuritySchema.optional(),
    ask: ExecAskSchema.optional(),
    /** What happens when approval is needed but nobody answers within approvalTimeoutSeconds. */
    askFallback: ExecSecuritySchema.default("deny"),
    /** Commands that run without asking under security "allowlist": an executable name or path, optionally with a glob. */
    allowlist: ToolNameList.default([]),
    timeoutSeconds: z.number().int().min(0).default(1800),
    /** A foreground command still running after this long continues in the background (`process` tool). */
    backgroundMs: z.number().int().min(0).default(10_000),
    /** Finished background processes are forgotten after this long. */
    cleanupMs: z.number().int().min(1000).default(1_800_000),
    /** Output kept per command (head and tail); the rest is counted and dropped. */
    maxOutputChars: z.number().int().min(1000).default(200_000),
    approvalTimeoutSeconds: z.number().int().min(1).default(300),
    pathPrepend: ToolNameList.optional(),
  })
  .prefault({});
export type ExecConfig = z.infer<typeof ExecConfigSchema>;

export const ElevatedConfigSchema = z
  .looseObject({
    enabled: z.boolean().default(false),
    /** channel → sender ids allowed to run exec outside the sandbox ("*" for any sender of that channel). */
    allowFrom: z.record(z.string(), z.array(z.union([z.string(), z.number()]).transform(String))).default({}),
  })
  .prefault({});

const WebSearchConfigSchema = z
  .looseObject({
    enabled: z.boolean().default(true),
    provider: z.enum(["brave", "tavily", "searxng"]).optional(),
    apiKey: z.string().optional(),
    /** SearXNG instance (or a Brave/Tavily API proxy). */
    baseUrl: z.url().optional(),
    maxResults: z.number().int().min(1).max(20).default(5),
    timeoutSeconds: z.number().int().min(1).default(30),
  })
  .prefault({});

const WebFetchConfigSchema = z
  .looseObject({
    enabled: z.boolean().default(true),
    maxChars: z.number().int().min(100).default(20_000),
    maxCharsCap: z.number().int().min(100).default(20_000),
    maxResponseBytes: z.number().int().min(32_000).max(10_000_000).default(750_000),
    timeoutSeconds: z.number().int().min(1).default(30),
    maxRedirects: z.number().int().min(0).max(10).default(3),
    readability: z.boolean().default(true),
    userAgent: z.string().optional(),
    /** Private, loopback and link-local targets are refused unless the host is listed or the guard is off. */
    ssrfPolicy: z
      .looseObject({
        allowedHostnames: z.array(z.string().min(1)).default([]),
        dangerouslyAllowPrivateNetwork: z.boolean().default(false),
      })
      .prefault({}),
  })
  .prefault({});

export const ToolsConfigSchema = z
  .looseObject({
    ...policyFields,
    byProvider: z.record(z.string(), ToolPolicyLayerSchema).default({}),
    exec: ExecConfigSchema,
    elevated: ElevatedConfigSchema,
    web: z.looseObject({ search: WebSearchConfigSchema, fetch: WebFetchConfigSchema }).prefault({}),
    /** The extra gate for sandboxed sessions (OpenClaw tools.sandbox.tools). */
    sandbox: z.looseObject({ tools: ToolPolicyLayerSchema.optional() }).prefault({}),
    /** A tool result longer than this is cut, with a note saying so. */
    maxResultChars: z.number().int().min(1000).default(50_000),
  })
  .refine(noAllowWithAlsoAllow, ALLOW_CONFLICT)
  .prefault({});
export type ToolsConfig = z.infer<typeof ToolsConfigSchema>;

/** Per-agent tool settings (agents.list[].tools): a policy layer plus exec/elevated overrides. */
export const AgentToolsConfigSchema = z
  .looseObject({
    ...policyFields,
    byProvider: z.record(z.string(), ToolPolicyLayerSchema).optional(),
    exec: z
      .looseObject({
        security: ExecSecuritySchema.optional(),
        ask: ExecAskSchema.optional(),
        allowlist: ToolNameList.optional(),
      })
      .optional(),
    elevated: z.looseObject({ enabled: z.boolean().optional() }).optional(),
  })
  .refine(noAllowWithAlsoAllow, ALLOW_CONFLICT);
export type AgentToolsConfig = z.infer<typeof AgentToolsConfigSchema>;

const McpCommon = {
  enabled: z.boolean().default(true),
  connectionTimeoutMs: z.number().int().min(100).default(30_000),
  requestTimeoutMs: z.number().int().min(100).default(60_000),
};

export const McpStdioServerSchema = z.looseObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  workingDirectory: z.string().optional(),
  ...McpCommon,
});
export type McpStdioServerConfig = z.infer<typeof McpStdioServerSchema>;

export const McpHttpServerSchema = z.looseObject({
  url: z.url(),
  transport: z.enum(["streamable-http", "sse"]).default("streamable-http"),
  headers: z.record(z.string(), z.string()).default({}),
  ...McpCommon,
});
export type McpHttpServerConfig = z.infer<typeof McpHttpServerSchema>;

export const McpServerSchema = z.union([McpStdioServerSchema, McpHttpServerSchema]);
export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

export function isStdioServer(cfg: McpServerConfig): cfg is McpStdioServerConfig {
  return typeof cfg.command === "string";
}

export const McpConfigSchema = z
  .looseObject({ servers: z.record(z.string().min(1), McpServerSchema).default({}) })
  .prefault({});
export type McpConfig = z.infer<typeof McpConfigSchema>;
