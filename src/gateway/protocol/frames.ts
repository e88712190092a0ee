import { z } from "zod";

/** Wire protocol version spoken (OpenClaw Gateway protocol v4). */
export const PROTOCOL_VERSION = 4;

export const RequestFrameSchema = z.strictObject({
  type: z.literal("req"),
  id: z.string().min(1).max(256),
  method: z.string().min(1).max(256),
  params: z.unknown().optional(),
  traceparent: z.string().max(128).optional(),
});
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

export const ErrorShapeSchema = z.strictObject({
  code: z.string().min(1),
  message: z.string().min(1),
  details: z.unknown().optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().int().min(0).optional(),
});

export const ResponseFrameSchema = z.strictObject({
  type: z.literal("res"),
  id: z.string().min(1),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: ErrorShapeSchema.optional(),
});
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;

export const EventFrameSchema = z.strictObject({
  type: z.literal("event"),
  event: z.string().min(1),
  payload: z.unknown().optional(),
  seq: z.number().int().min(0).optional(),
  stateVersion: z.strictObject({ presence: z.number().int().min(0), health: z.number().int().min(0) }).optional(),
});
export type EventFrame = z.infer<typeof EventFrameSchema>;

export const CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "worker", "probe", "test"] as const;

export const ConnectParamsSchema = z.object({
  minProtocol: z.number().int().min(1),
  maxProtocol: z.number().int().min(1),
  client: z.object({
    id: z.string().min(1),
    displayName: z.string().min(1).optional(),
    version: z.string().min(1),
    platform: z.string().min(1),
    deviceFamily: z.string().optional(),
    modelIdentifier: z.string().optional(),
    timeZone: z.string().optional(),
    mode: z.enum(CLIENT_MODES),
    instanceId: z.string().min(1).optional(),
  }),
  caps: z.array(z.string()).optional(),
  commands: z.array(z.string()).optional(),
  role: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  device: z
    .object({
      id: z.string().min(1),
      publicKey: z.string().min(1),
      signature: z.string().min(1),
      signedAt: z.number().int().min(0),
      nonce: z.string().min(1),
    })
    .optional(),
  auth: z
    .object({
      token: z.string().optional(),
      password: z.string().optional(),
      deviceToken: z.string().optional(),
      bootstrapToken: z.string().optional(),
    })
    .loose()
    .optional(),
  locale: z.string().optional(),
  userAgent: z.string().optional(),
});
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

/** Scopes an operator connection can hold. `operator.admin` implies all others. */
export const SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
] as const;
export type Scope = (typeof SCOPES)[number];

/** Formats a zod error as `field.path: message; …` for INVALID_REQUEST messages. */
export function formatIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
      return `${path || "(root)"}: ${issue.message}`;
    })
    .join("; ");
}
