import { z } from "zod";
import type { InboundMessage, MediaRef } from "../envelope.js";

/**
 * Slack `message` and `app_mention` events (untrusted: Bolt hands them over unvalidated) parsed with a schema of
 * the fields Pincer reads, and turned into the envelope. The same message often arrives as both events; they
 * share channel + ts, which is the message id, so the second one is dropped as a duplicate.
 */

const FileSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private: z.string().optional(),
});

export const SlackMessageEventSchema = z.looseObject({
  type: z.enum(["message", "app_mention"]),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().default(""),
  ts: z.string(),
  thread_ts: z.string().optional(),
  channel: z.string(),
  channel_type: z.enum(["im", "mpim", "channel", "group", "app_home"]).optional(),
  team: z.string().optional(),
  files: z.array(FileSchema).optional(),
});

/** Subtypes that are a person writing; edits, joins, bot posts and the like are not answered. */
const ANSWERED_SUBTYPES = new Set([undefined, "file_share", "thread_broadcast"]);

function mediaKind(mime: string | undefined): MediaRef["kind"] {
  if (mime?.startsWith("image/")) return "image";
  if (mime?.startsWith("audio/")) return "audio";
  if (mime?.startsWith("video/")) return "video";
  return "document";
}

export function normalizeSlackEvent(
  raw: unknown,
  opts: { accountId: string; botUserId: string; teamId?: string | undefined },
): InboundMessage | null {
  const parsed = SlackMessageEventSchema.safeParse(raw);
  if (!parsed.success) return null;
  const e = parsed.data;
  if (!ANSWERED_SUBTYPES.has(e.subtype) || e.bot_id || !e.user || e.user === opts.botUserId) return null;
  // DM channel ids start with D; app_mention events carry no channel_type.
  const direct = e.channel_type === "im" || (e.channel_type === undefined && e.channel.startsWith("D"));
  const mentionRe = new RegExp(`<@${opts.botUserId}(\\|[^>]*)?>`, "g");
  const mentioned = direct || e.type === "app_mention" || mentionRe.test(e.text);
  const mentions = [...e.text.matchAll(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1]!);
  const msg: InboundMessage = {
    channel: "slack",
    accountId: opts.accountId,
    chatType: direct ? "direct" : e.channel_type === "mpim" ? "group" : "channel",
    // A DM is keyed by the person; replies go to the DM channel the event came from.
    peerId: direct ? e.user : e.channel,
    sender: { id: e.user },
    text: e.text.replace(mentionRe, "").trim(),
    media: (e.files ?? []).map((f) => ({
      kind: mediaKind(f.mimetype),
      ref: f.url_private ?? f.id,
      ...(f.name ? { fileName: f.name } : {}),
      ...(f.mimetype ? { mimeType: f.mimetype } : {}),
      ...(f.size !== undefined ? { sizeBytes: f.size } : {}),
    })),
    mentioned,
    mentions,
    messageId: `${e.channel}:${e.ts}`,
    timestamp: Math.round(Number(e.ts) * 1000),
    conversationLabel: e.channel,
  };
  const team = e.team ?? opts.teamId;
  if (team) msg.teamId = team;
  if (e.thread_ts && e.thread_ts !== e.ts) msg.threadId = e.thread_ts;
  return msg;
}
