import { z } from "zod";
import { CronConfigSchema } from "../automation/cron/config-schema.js";
import { HeartbeatConfigSchema } from "../automation/heartbeat/config-schema.js";
import { HooksConfigSchema } from "../automation/webhooks/config-schema.js";
import { ChannelsConfigSchema } from "../channels/config-schema.js";
import { MemorySearchConfigSchema } from "../memory/config.js";
import { BackupConfigSchema } from "../ops/backup-config.js";
import { BudgetsConfigSchema } from "../ops/budget-config.js";
import { BindingsSchema } from "../routing/bindings-schema.js";
import { AgentSandboxConfigSchema, SandboxConfigSchema } from "../sandbox/config-schema.js";
import { AgentSkillsSchema, SkillsConfigSchema } from "../skills/config.js";
import { AgentToolsConfigSchema, McpConfigSchema, ToolsConfigSchema } from "../tools/config-schema.js";

/**
 * The whole of pincer.json as one zod schema. Types, validation errors and the JSON Schema served by
 * `config.schema` all come from here. Key names follow OpenClaw's where the concept is the same, so an
 * OpenClaw config carries over. Sections owned by later subsystems are loose objects until they land,
 * so their keys are kept and passed through rather than rejected.
 */

export const DEFAULT_PORT = 18789;

const Section = z.looseObject({});

/** A secret that is not written in clear: resolved at load, never written back resolved. */
export const SecretRefSchema = z.strictObject({
  source: z.enum(["env", "file", "exec", "vault"]),
  id: z.string().min(1),
  provider: z.string().optional(),
});
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** After load every SecretRef has been replaced by its value, so secret fields are plain strings. */
const Secret = z.string();

const GatewayAuthSchema = z.strictObject({
  mode: z.enum(["none", "token", "password"]).optional(),
  token: Secret.optional(),
  password: Secret.optional(),
  /** Failed-auth attempts per remote address before it is locked out for `lockoutMs`. */
  maxFailures: z.number().int().min(1).default(10),
  lockoutMs: z.number().int().min(0).default(60_000),
});

/** First path segments the gateway itself answers at the root; a Control UI prefix there would shadow them. */
const GATEWAY_ROOT_SEGMENTS = ["v1", "hooks", "tools", "health", "healthz", "ready", "readyz"];

/**
 * gateway.controlUi.basePath: the prefix the Control UI is served under behind a reverse proxy ("/pincer").
 * "/x/" is normalised to "/x"; "", "/" or no value mean the root and parse to "". Only unreserved URL
 * characters are allowed, so the value can go into a URL and an HTML attribute as it is.
 */
const ControlUiBasePathSchema = z
  .string()
  .trim()
  .check((ctx) => {
    // The issue's path names the key (gateway.controlUi.basePath: …), so the message says only what is wrong.
    const fail = (message: string): void => {
      ctx.issues.push({ code: "custom", input: ctx.value, message });
    };
    const value = ctx.value;
    if (value === "" || value === "/") return;
    if (/[?#]/.test(value)) return fail(`must be a path without a query (?) or fragment (#), got "${value}"`);
    if (!value.startsWith("/")) return fail(`must start with "/" (e.g. "/${value}"), got "${value}"`);
    const segments = value.replace(/\/+$/, "").split("/").slice(1);
    if (segments.some((s) => s === "")) return fail(`must not contain an empty segment ("//"), got "${value}"`);
    if (segments.some((s) => s === "." || s === ".."))
      return fail(`must not contain "." or ".." segments, got "${value}"`);
    if (segments.some((s) => !/^[A-Za-z0-9._~-]+$/.test(s)))
      return fail(`may hold only letters, digits, "-", ".", "_", "~" and "/", got "${value}"`);
    if (GATEWAY_ROOT_SEGMENTS.includes(segments[0] ?? ""))
      return fail(`must not start with "/${segments[0]}": the gateway serves its own API there`);
  })
  .transform((value) => value.replace(/\/+$/, ""));

const GatewaySchema = z
  .strictObject({
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    /** "loopback" (127.0.0.1), "lan" (0.0.0.0), or a literal host/IP. */
    bind: z.string().min(1).default("loopback"),
    mode: z.enum(["local", "remote"]).optional(),
    auth: GatewayAuthSchema.prefault({}),
    controlUi: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Serve the Control UI under this prefix ("/pincer"); the API and the WebSocket stay at the root. */
        basePath: ControlUiBasePathSchema.optional(),
        /** Browser origins allowed to open the WebSocket besides the gateway's own. */
        allowedOrigins: z.array(z.string()).default([]),
      })
      .prefault({}),
    http: z
      .strictObject({
        endpoints: z
          .strictObject({
            chatCompletions: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
            responses: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Largest WebSocket frame accepted, in bytes. */
    maxPayloadBytes: z
      .number()
      .int()
      .min(1024)
      .default(25 * 1024 * 1024),
    /** A connection whose outgoing buffer exceeds this is closed (slow consumer). */
    maxBufferedBytes: z
      .number()
      .int()
      .min(1024)
      .default(50 * 1024 * 1024),
    tickIntervalMs: z.number().int().min(1000).default(30_000),
    reload: z
      .strictObject({
        mode: z.enum(["hybrid", "hot", "restart", "off"]).default("hybrid"),
        debounceMs: z.number().int().min(0).default(300),
      })
      .prefault({}),
  })
  .prefault({});

const ModelCostSchema = z.strictObject({
  /** USD per million tokens. */
  input: z.number().min(0).default(0),
  output: z.number().min(0).default(0),
  cacheRead: z.number().min(0).default(0),
  cacheWrite: z.number().min(0).default(0),
});

export const ProviderApiSchema = z.enum([
  "openai-completions",
  "openai-responses",
  "anthropic-messages",
  "google-generative-ai",
  "ollama",
]);

const ProviderModelSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  contextWindow: z.number().int().min(1).optional(),
  maxTokens: z.number().int().min(1).optional(),
  reasoning: z.boolean().optional(),
  input: z.array(z.string()).optional(),
  cost: ModelCostSchema.optional(),
});

const ProviderSchema = z.strictObject({
  baseUrl: z.string().optional(),
  /** One key, or several: they rotate on 401/403 and cool down on 429. */
  apiKey: z.union([Secret, z.array(Secret).min(1)]).optional(),
  api: ProviderApiSchema.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  models: z.array(ProviderModelSchema).default([]),
});

const ModelsSchema = z
  .strictObject({
    mode: z.enum(["merge", "replace"]).default("merge"),
    providers: z.record(z.string().min(1), ProviderSchema).default({}),
  })
  .prefault({});

const ModelRefSchema = z.union([
  z.string().min(1),
  z.strictObject({ primary: z.string().min(1).optional(), fallbacks: z.array(z.string().min(1)).default([]) }),
]);

const AgentDefaultsSchema = z
  .looseObject({
    model: ModelRefSchema.optional(),
    workspace: z.string().optional(),
    /** Bound on model→tool→model round trips in one turn. */
    maxSteps: z.number().int().min(1).default(25),
    timeoutSeconds: z.number().int().min(1).default(600),
    /** Agent runs in flight across all sessions. */
    maxConcurrent: z.number().int().min(1).default(8),
    /** Per bootstrap file and total, in tokens (≈ 4 chars each). */
    bootstrapMaxTokens: z.number().int().min(100).default(5_000),
    bootstrapTotalMaxTokens: z.number().int().min(100).default(30_000),
    contextTokens: z.number().int().min(1000).optional(),
    compaction: z
      .looseObject({
        /** Compact when the prompt reaches this share of the context window. */
        threshold: z.number().min(0.1).max(0.99).default(0.8),
        /** Recent turns kept verbatim after compaction. */
        keepRecentTurns: z.number().int().min(1).default(6),
        /**
         * A silent turn before compaction in which the agent writes what matters to memory files. OpenClaw
         * writes it as an object ({ enabled, prompt, systemPrompt }); a boolean is the short form.
         */
        memoryFlush: z
          .union([
            z.boolean(),
            z.looseObject({
              enabled: z.boolean().optional(),
              prompt: z.string().min(1).optional(),
              systemPrompt: z.string().min(1).optional(),
            }),
          ])
          .default(true),
      })
      .prefault({}),
    sandbox: SandboxConfigSchema,
    memorySearch: MemorySearchConfigSchema.optional(),
    /** Skills every agent may see unless its entry lists its own; unset: all. */
    skills: AgentSkillsSchema.optional(),
    heartbeat: HeartbeatConfigSchema.optional(),
  })
  .prefault({});

const AgentEntrySchema = z.looseObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, "agent id: letters, digits, _ and -, at most 64"),
  name: z.string().optional(),
  default: z.boolean().optional(),
  workspace: z.string().optional(),
  model: ModelRefSchema.optional(),
  tools: AgentToolsConfigSchema.optional(),
  sandbox: AgentSandboxConfigSchema.optional(),
  memorySearch: MemorySearchConfigSchema.optional(),
  /** This agent's skills (replaces agents.defaults.skills; [] for none). */
  skills: AgentSkillsSchema.optional(),
  heartbeat: HeartbeatConfigSchema.optional(),
});

const AgentsSchema = z
  .strictObject({
    defaults: AgentDefaultsSchema,
    list: z.array(AgentEntrySchema).default([]),
  })
  .prefault({});

const SessionSchema = z
  .looseObject({
    scope: z.enum(["per-sender", "global"]).optional(),
    dmScope: z.enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]).default("main"),
    mainKey: z.string().min(1).default("main"),
    reset: z
      .strictObject({
        mode: z.enum(["daily", "idle", "off"]).default("off"),
        atHour: z.number().int().min(0).max(23).default(4),
        idleMinutes: z.number().int().min(1).optional(),
      })
      .prefault({}),
    resetTriggers: z.array(z.string()).default(["/new", "/reset"]),
    maintenance: z
      .strictObject({
        pruneAfterDays: z.number().int().min(1).default(30),
        maxEntries: z.number().int().min(1).default(500),
        /** A transcript at least this large is archived (<id>.jsonl.reset.<stamp>) when its session rolls over by policy. */
        rotateBytes: z
          .number()
          .int()
          .min(1024)
          .default(10 * 1024 * 1024),
      })
      .prefault({}),
  })
  .prefault({});

const LoggingSchema = z
  .strictObject({
    level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    consoleLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
    file: z.string().optional(),
    redactSensitive: z.enum(["off", "tools"]).default("tools"),
  })
  .prefault({});

export const PincerConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  meta: Section.optional(),
  wizard: Section.optional(),
  gateway: GatewaySchema,
  agents: AgentsSchema,
  models: ModelsSchema,
  session: SessionSchema,
  logging: LoggingSchema,
  channels: ChannelsConfigSchema.optional(),
  tools: ToolsConfigSchema,
  mcp: McpConfigSchema,
  skills: SkillsConfigSchema,
  cron: CronConfigSchema.optional(),
  hooks: HooksConfigSchema.optional(),
  bindings: BindingsSchema.optional(),
  plugins: Section.optional(),
  memory: Section.optional(),
  browser: Section.optional(),
  env: Section.optional(),
  auth: Section.optional(),
  messages: Section.optional(),
  commands: Section.optional(),
  ui: Section.optional(),
  budgets: BudgetsConfigSchema.optional(),
  backup: BackupConfigSchema.optional(),
  audit: Section.optional(),
  secrets: Section.optional(),
});

/** The config after defaults are applied and secrets resolved. */
export type PincerConfig = z.infer<typeof PincerConfigSchema>;
/** The config as a user writes it (every defaulted key optional). */
export type PincerConfigInput = z.input<typeof PincerConfigSchema>;
