/**
 * The one shape every channel turns a platform message into. Access control, routing and the agent see only
 * this, never a platform payload.
 */

export type ChatType = "direct" | "group" | "channel";

export interface MediaRef {
  kind: "image" | "audio" | "video" | "document" | "sticker" | "other";
  /** A platform file id, or a URL the platform serves it at. */
  ref: string;
  mimeType?: string;
  fileName?: string;
  sizeBytes?: number;
}

export interface InboundSender {
  id: string;
  name?: string;
  username?: string;
  /** Where the platform says the sender connects from (IRC's ident@host), for mask allowlists. */
  address?: string;
  isBot?: boolean;
}

export interface InboundMessage {
  channel: string;
  accountId: string;
  chatType: ChatType;
  /** The conversation: the sender's id for a DM, the chat / channel / room id for a group. */
  peerId: string;
  /** For a thread or topic: the conversation that holds it (routing falls back to it). */
  parentPeerId?: string;
  threadId?: string;
  /** Discord guild, and the sender's role ids there. */
  guildId?: string;
  memberRoleIds?: string[];
  /** Slack workspace. */
  teamId?: string;
  sender: InboundSender;
  text: string;
  media: MediaRef[];
  /** True when the message addresses the bot (a mention, a reply to the bot, a DM). */
  mentioned: boolean;
  /** Ids of users the message mentions. */
  mentions: string[];
  replyToId?: string;
  /** The platform's id of this message; with channel and account it makes the idempotency key. */
  messageId: string;
  /** Platform time of the message, ms since epoch. */
  timestamp: number;
  /** A human label of the conversation for logs and pairing requests ("#general", "Alice"). */
  conversationLabel?: string;
}

/** Where a reply goes: the conversation, and the thread / message it answers when the platform has them. */
export interface OutboundTarget {
  chatType: ChatType;
  peerId: string;
  threadId?: string;
  replyToId?: string;
}

/** The target that answers an inbound message in place. */
export function replyTargetOf(msg: InboundMessage): OutboundTarget {
  return {
    chatType: msg.chatType,
    peerId: msg.peerId,
    ...(msg.threadId ? { threadId: msg.threadId } : {}),
    replyToId: msg.messageId,
  };
}

/** Largest inbound text handed to the agent, in characters; the rest is cut with a note the model can see. */
export const MAX_INBOUND_TEXT_CHARS = 64_000;

/** The agent's input for an inbound message: its text (capped) plus placeholders for media it cannot read yet. */
export function agentTextOf(msg: InboundMessage): string {
  let text = msg.text;
  if (text.length > MAX_INBOUND_TEXT_CHARS) {
    text = `${text.slice(0, MAX_INBOUND_TEXT_CHARS)}\n\n[message truncated: ${msg.text.length.toLocaleString("en")} characters, the first ${MAX_INBOUND_TEXT_CHARS.toLocaleString("en")} kept]`;
  }
  const media = msg.media.map((m) => `<media:${m.kind}${m.fileName ? ` ${m.fileName}` : ""}>`);
  return [text, ...media].filter((part) => part.length > 0).join("\n");
}
