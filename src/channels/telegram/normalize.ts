import { z } from "zod";
import type { InboundMessage, MediaRef } from "../envelope.js";

/**
 * Telegram updates (untrusted JSON from the Bot API or a webhook POST) parsed with a schema of just the fields
 * Pincer reads, and turned into the inbound envelope. Unknown fields pass; a malformed update is skipped.
 */

const UserSchema = z.looseObject({
  id: z.number(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

const EntitySchema = z.looseObject({
  type: z.string(),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
  user: UserSchema.optional(),
});

const FileSchema = z.looseObject({
  file_id: z.string(),
  file_size: z.number().optional(),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
});

const MessageSchema = z.looseObject({
  message_id: z.number(),
  date: z.number(),
  chat: z.looseObject({
    id: z.number(),
    type: z.enum(["private", "group", "supergroup", "channel"]),
    title: z.string().optional(),
    username: z.string().optional(),
    is_forum: z.boolean().optional(),
  }),
  from: UserSchema.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(EntitySchema).optional(),
  caption_entities: z.array(EntitySchema).optional(),
  message_thread_id: z.number().optional(),
  is_topic_message: z.boolean().optional(),
  reply_to_message: z.looseObject({ message_id: z.number(), from: UserSchema.optional() }).optional(),
  photo: z.array(FileSchema).optional(),
  document: FileSchema.optional(),
  audio: FileSchema.optional(),
  voice: FileSchema.optional(),
  video: FileSchema.optional(),
  sticker: FileSchema.optional(),
});

export const TelegramUpdateSchema = z.looseObject({
  update_id: z.number().int(),
  message: MessageSchema.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdateSchema>;
type TelegramMessage = z.infer<typeof MessageSchema>;

export interface BotIdentity {
  id: number;
  username: string;
}

function mediaOf(m: TelegramMessage): MediaRef[] {
  const out: MediaRef[] = [];
  const file = (kind: MediaRef["kind"], f: z.infer<typeof FileSchema>) => {
    const ref: MediaRef = { kind, ref: f.file_id };
    if (f.mime_type) ref.mimeType = f.mime_type;
    if (f.file_name) ref.fileName = f.file_name;
    if (f.file_size !== undefined) ref.sizeBytes = f.file_size;
    out.push(ref);
  };
  // Telegram sends one photo in several sizes, smallest first: keep the largest.
  const photo = m.photo?.at(-1);
  if (photo) file("image", photo);
  if (m.document) file("document", m.document);
  if (m.audio) file("audio", m.audio);
  if (m.voice) file("audio", m.voice);
  if (m.video) file("video", m.video);
  if (m.sticker) file("sticker", m.sticker);
  return out;
}

/** Whether the message addresses the bot: @username, a text mention of it, a reply to it, or /cmd@username. */
function mentionsOf(m: TelegramMessage, bot: BotIdentity): { mentioned: boolean; mentions: string[] } {
  const text = m.text ?? m.caption ?? "";
  const entities = m.entities ?? m.caption_entities ?? [];
  const handle = `@${bot.username.toLowerCase()}`;
  const mentions: string[] = [];
  let mentioned = m.reply_to_message?.from?.id === bot.id;
  for (const e of entities) {
    const slice = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === "mention") {
      mentions.push(slice.replace(/^@/, ""));
      if (slice === handle) mentioned = true;
    } else if (e.type === "text_mention" && e.user) {
      mentions.push(String(e.user.id));
      if (e.user.id === bot.id) mentioned = true;
    } else if (e.type === "bot_command" && slice.endsWith(handle)) {
      mentioned = true;
    }
  }
  return { mentioned, mentions };
}

/** The envelope for an update, or null for what Pincer does not answer (edits, channel posts, bots, itself). */
export function normalizeTelegramUpdate(raw: unknown, accountId: string, bot: BotIdentity): InboundMessage | null {
  const parsed = TelegramUpdateSchema.safeParse(raw);
  if (!parsed.success || !parsed.data.message) return null;
  const m = parsed.data.message;
  if (!m.from || m.from.is_bot || m.chat.type === "channel") return null;
  const direct = m.chat.type === "private";
  const { mentioned, mentions } = mentionsOf(m, bot);
  const name = [m.from.first_name, m.from.last_name].filter(Boolean).join(" ");
  const msg: InboundMessage = {
    channel: "telegram",
    accountId,
    chatType: direct ? "direct" : "group",
    peerId: String(m.chat.id),
    sender: {
      id: String(m.from.id),
      ...(name ? { name } : {}),
      ...(m.from.username ? { username: m.from.username } : {}),
    },
    text: m.text ?? m.caption ?? "",
    media: mediaOf(m),
    mentioned: direct || mentioned,
    mentions,
    messageId: `${m.chat.id}:${m.message_id}`,
    timestamp: m.date * 1000,
    conversationLabel: direct ? (m.from.username ? `@${m.from.username}` : name) : (m.chat.title ?? String(m.chat.id)),
  };
  if (m.is_topic_message && m.message_thread_id !== undefined) msg.threadId = String(m.message_thread_id);
  if (m.reply_to_message) msg.replyToId = String(m.reply_to_message.message_id);
  return msg;
}
