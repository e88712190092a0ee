import { z } from "zod";
import type { HookMapping } from "./config-schema.js";

/**
 * The `gmail` preset (hooks.presets: ["gmail"]) for POST <hooks.path>/gmail. It takes both shapes Gmail
 * notifications arrive in:
 * - a Google Pub/Sub push envelope (`{ message: { data: base64 JSON {emailAddress, historyId}, messageId }, subscription }`),
 *   whose data is decoded before the templates see it;
 * - messages already fetched by a watcher (OpenClaw's `gog` format: `{ messages: [{ id, from, subject, snippet, body }] }`).
 */

const PubSubPush = z.looseObject({
  message: z.looseObject({
    data: z.string().min(1),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
    publishTime: z.string().optional(),
  }),
  subscription: z.string().optional(),
});

const GmailNotification = z.looseObject({ emailAddress: z.string(), historyId: z.union([z.string(), z.number()]) });

export interface PresetMapping {
  mapping: HookMapping;
  /** Whether this entry takes the payload (several entries can share a path). */
  accepts(payload: unknown): boolean;
  /** The payload the templates render against. */
  prepare(payload: unknown): unknown;
}

const base = {
  action: "agent",
  wakeMode: "now",
  name: "Gmail",
  sessionMode: "isolated",
  deliver: true,
  allowUnsafeExternalContent: false,
} as const;

/** The decoded Gmail notification inside a Pub/Sub push, or undefined when the payload is not one. */
export function decodePubSubGmail(
  payload: unknown,
): (z.infer<typeof GmailNotification> & { messageId?: string }) | undefined {
  const push = PubSubPush.safeParse(payload);
  if (!push.success) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(push.data.message.data, "base64").toString("utf8"));
  } catch {
    return undefined;
  }
  const note = GmailNotification.safeParse(decoded);
  if (!note.success) return undefined;
  const messageId = push.data.message.messageId ?? push.data.message.message_id;
  return { ...note.data, ...(messageId ? { messageId } : {}) };
}

export const GMAIL_PRESET: PresetMapping[] = [
  {
    mapping: {
      ...base,
      id: "gmail-pubsub",
      match: { path: "gmail" },
      sessionKey: "gmail:{{emailAddress}}",
      messageTemplate:
        "Gmail reports new activity in the mailbox {{emailAddress}} (history id {{historyId}}). Check the inbox for new mail and summarize what needs my attention.",
    },
    accepts: (payload) => decodePubSubGmail(payload) !== undefined,
    prepare: (payload) => decodePubSubGmail(payload),
  },
  {
    mapping: {
      ...base,
      id: "gmail",
      match: { path: "gmail" },
      sessionKey: "gmail:{{messages[0].id}}",
      messageTemplate:
        "New email from {{messages[0].from}}\nSubject: {{messages[0].subject}}\n{{messages[0].snippet}}\n{{messages[0].body}}",
    },
    accepts: (payload) => Array.isArray((payload as { messages?: unknown } | null)?.messages),
    prepare: (payload) => payload,
  },
];

export const PRESETS: Record<string, PresetMapping[]> = { gmail: GMAIL_PRESET };
