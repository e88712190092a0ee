import { z } from "zod";

/**
 * Schemas of what the chat view reads from the gateway: transcript messages (chat.history) and the `chat` /
 * `agent` event payloads. Loose objects: the UI reads the fields it knows and tolerates new ones.
 */

const PartSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.unknown().optional(),
  mimeType: z.string().optional(),
});

export const ChatMessageSchema = z.looseObject({
  id: z.string().optional(),
  role: z.string(),
  content: z.union([z.string(), z.array(PartSchema)]).optional(),
  timestamp: z.number().optional(),
  toolCallId: z.string().optional(),
  toolName: z.string().optional(),
  isError: z.boolean().optional(),
  stopReason: z.string().optional(),
  errorMessage: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const HistorySchema = z.looseObject({
  sessionKey: z.string(),
  messages: z.array(ChatMessageSchema),
  inFlightRun: z.string().nullable().optional(),
});
export type History = z.infer<typeof HistorySchema>;

export const ChatEventSchema = z.looseObject({
  runId: z.string(),
  sessionKey: z.string(),
  seq: z.number().optional(),
  state: z.enum(["delta", "final", "aborted", "error"]),
  message: ChatMessageSchema.optional(),
  deltaText: z.string().optional(),
  errorMessage: z.string().optional(),
});
export type ChatEvent = z.infer<typeof ChatEventSchema>;

export const AgentEventSchema = z.looseObject({
  runId: z.string(),
  stream: z.string(),
  data: z.looseObject({
    sessionKey: z.string().optional(),
    phase: z.string().optional(),
    name: z.string().optional(),
    toolCallId: z.string().optional(),
    args: z.unknown().optional(),
    result: z.string().optional(),
    isError: z.boolean().optional(),
  }),
});
export type AgentEvent = z.infer<typeof AgentEventSchema>;

export const SendAckSchema = z.looseObject({ runId: z.string(), sessionKey: z.string().optional() });

/** The text parts of a message joined (a string content is the text itself). */
export function textOf(message: ChatMessage | undefined): string {
  if (!message?.content) return "";
  if (typeof message.content === "string") return message.content;
  return message.content
    .filter((p) => p.type === "text")
    .map((p) => p.text ?? "")
    .join("");
}
