import { z } from "zod";
import {
  EventFrameSchema,
  PROTOCOL_VERSION,
  ResponseFrameSchema,
  SCOPES,
} from "../../../src/gateway/protocol/frames.js";

export type { ConnectParams, EventFrame, ResponseFrame } from "../../../src/gateway/protocol/frames.js";
export { PROTOCOL_VERSION, SCOPES };

// The page's CSP forbids eval; zod would otherwise probe `new Function` (a CSP violation report) for its JIT.
z.config({ jitless: true });

/** A frame from the gateway: a response to one of our requests or an event. Parsed, never cast. */
export const ServerFrameSchema = z.discriminatedUnion("type", [ResponseFrameSchema, EventFrameSchema]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** The parts of hello-ok the UI reads; everything else is kept as sent. */
export const HelloSchema = z.looseObject({
  type: z.literal("hello-ok"),
  protocol: z.number(),
  server: z.looseObject({ version: z.string(), connId: z.string() }),
  features: z.looseObject({ methods: z.array(z.string()), events: z.array(z.string()) }),
  snapshot: z.looseObject({
    authMode: z.string().optional(),
    sessionDefaults: z
      .looseObject({ defaultAgentId: z.string(), mainSessionKey: z.string(), mainKey: z.string() })
      .optional(),
  }),
  auth: z.looseObject({ scopes: z.array(z.string()) }).optional(),
  policy: z.looseObject({ tickIntervalMs: z.number() }).optional(),
});
export type Hello = z.infer<typeof HelloSchema>;

/** Parses one text frame; returns undefined for anything that is not valid JSON of a known frame shape. */
export function parseServerFrame(text: string): ServerFrame | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ServerFrameSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
