import { z } from "zod";

/**
 * `hooks` in pincer.json: inbound webhooks. Keys are OpenClaw's (`hooks.enabled/token/path/mappings/presets`,
 * session and agent policy), so an imported OpenClaw config means the same here. OpenClaw keys Pincer does not
 * act on (transformsDir, internal, gmail transport settings) are kept, not rejected.
 */

/** OpenClaw's default body limit for hooks: a notification, not a document upload. */
export const DEFAULT_HOOK_MAX_BODY_BYTES = 256 * 1024;

export const HookMappingSchema = z.looseObject({
  /** Names the mapping in logs and the hook session key; `mapping-<index>` when omitted. */
  id: z.string().min(1).max(64).optional(),
  match: z
    .strictObject({
      /** The sub-path after hooks.path, without slashes: "gmail" matches POST /hooks/gmail. */
      path: z.string().optional(),
      /** Exact match on the payload's string `source` field. */
      source: z.string().optional(),
    })
    .optional(),
  action: z.enum(["agent", "wake"]).default("agent"),
  wakeMode: z.enum(["now", "next-heartbeat"]).default("now"),
  name: z.string().optional(),
  agentId: z.string().optional(),
  /** Static or `{{…}}`-templated; becomes `hook:<value>` under the agent. */
  sessionKey: z.string().optional(),
  sessionMode: z.enum(["isolated", "persistent"]).default("isolated"),
  /** The agent's input for `agent` actions; `{{field}}` placeholders read the JSON body. */
  messageTemplate: z.string().optional(),
  /** The system-event text for `wake` actions. */
  textTemplate: z.string().optional(),
  deliver: z.boolean().default(true),
  channel: z.string().optional(),
  to: z.string().optional(),
  model: z.string().optional(),
  thinking: z.string().optional(),
  timeoutSeconds: z.int().positive().optional(),
  /** Dangerous: hands the rendered payload to the agent without the untrusted-content fence. */
  allowUnsafeExternalContent: z.boolean().default(false),
});
export type HookMapping = z.infer<typeof HookMappingSchema>;

export const HooksConfigSchema = z
  .looseObject({
    enabled: z.boolean().default(false),
    /** The hooks' own secret (Bearer or x-pincer-token header); never the gateway token. */
    token: z.string().min(1).optional(),
    path: z
      .string()
      .default("/hooks")
      .transform((p) => `/${p.replace(/^\/+|\/+$/g, "")}`)
      .refine((p) => p !== "/", "hooks.path must not be / (it would shadow every other route)"),
    maxBodyBytes: z
      .int()
      .min(1024)
      .max(32 * 1024 * 1024)
      .default(DEFAULT_HOOK_MAX_BODY_BYTES),
    /** Agents hooks may run; omitted or containing "*" allows all, [] none. */
    allowedAgentIds: z.array(z.string()).optional(),
    defaultSessionKey: z.string().optional(),
    /** Whether a request (or a payload-derived template) may choose its session key. */
    allowRequestSessionKey: z.boolean().default(false),
    allowedSessionKeyPrefixes: z.array(z.string()).optional(),
    /** Built-in mappings appended after `mappings`: "gmail". */
    presets: z.array(z.string()).default([]),
    mappings: z.array(HookMappingSchema).default([]),
  })
  .superRefine((hooks, ctx) => {
    if (hooks.enabled && !hooks.token) {
      ctx.addIssue({
        code: "custom",
        path: ["token"],
        message: "hooks.enabled needs hooks.token: set a long random secret dedicated to webhooks",
      });
    }
  });
export type HooksConfig = z.infer<typeof HooksConfigSchema>;
