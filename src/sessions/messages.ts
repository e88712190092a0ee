import { z } from "zod";

/**
 * The app's own message shape, persisted in transcripts and passed through the agent loop. Providers see
 * these only after src/models converts them, in one place, right before the call. The shape follows the
 * pi agent / OpenClaw transcript format (role + content parts) so OpenClaw transcripts read as-is.
 */

export const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });
export const ImagePartSchema = z.object({
  type: z.literal("image"),
  /** base64 without a data: prefix */
  data: z.string(),
  mimeType: z.string(),
});
export const ThinkingPartSchema = z.object({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().optional(),
});
export const ToolCallPartSchema = z.object({
  type: z.literal("toolCall"),
  id: z.string(),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
});

export const UsageSchema = z.object({
  input: z.number().default(0),
  output: z.number().default(0),
  cacheRead: z.number().default(0),
  cacheWrite: z.number().default(0),
  reasoning: z.number().default(0),
  totalTokens: z.number().default(0),
  /** USD */
  cost: z
    .object({
      input: z.number().default(0),
      output: z.number().default(0),
      cacheRead: z.number().default(0),
      cacheWrite: z.number().default(0),
      total: z.number().default(0),
    })
    .prefault({}),
});
export type Usage = z.infer<typeof UsageSchema>;

export const StopReasonSchema = z.enum(["stop", "length", "toolUse", "error", "aborted"]);
export type StopReason = z.infer<typeof StopReasonSchema>;

export const UserMessageSchema = z.object({
  role: z.literal("user"),
  content: z.union([z.string(), z.array(z.union([TextPartSchema, ImagePartSchema]))]),
  timestamp: z.number(),
});

export const AssistantMessageSchema = z.object({
  role: z.literal("assistant"),
  content: z.array(z.union([TextPartSchema, ThinkingPartSchema, ToolCallPartSchema])),
  provider: z.string().optional(),
  model: z.string().optional(),
  usage: UsageSchema.optional(),
  stopReason: StopReasonSchema.optional(),
  errorMessage: z.string().optional(),
  timestamp: z.number(),
});

export const ToolResultMessageSchema = z.object({
  role: z.literal("toolResult"),
  toolCallId: z.string(),
  toolName: z.string(),
  content: z.array(z.union([TextPartSchema, ImagePartSchema])),
  isError: z.boolean().default(false),
  timestamp: z.number(),
});

export const AgentMessageSchema = z.discriminatedUnion("role", [
  UserMessageSchema,
  AssistantMessageSchema,
  ToolResultMessageSchema,
]);

export type TextPart = z.infer<typeof TextPartSchema>;
export type ImagePart = z.infer<typeof ImagePartSchema>;
export type ToolCallPart = z.infer<typeof ToolCallPartSchema>;
export type UserMessage = z.infer<typeof UserMessageSchema>;
export type AssistantMessage = z.infer<typeof AssistantMessageSchema>;
export type ToolResultMessage = z.infer<typeof ToolResultMessageSchema>;
export type AgentMessage = z.infer<typeof AgentMessageSchema>;

/** Plain text of a message's text parts, for previews, titles and history. */
export function messageText(message: AgentMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content
    .filter((part): part is TextPart => part.type === "text")
    .map((part) => part.text)
    .join("");
}
