import { PincerError, toErrorShape } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { AccountState } from "./account-state.js";
import { type DeliveryContext, sendWithRetry } from "./delivery.js";
import { type InboundMessage, type OutboundTarget, replyTargetOf } from "./envelope.js";
import { formatFor } from "./inbound.js";
import { checkOutboundMedia, mediaFromRef } from "./outbound-media.js";
import type { AccountTransport, MediaSendResult, OutboundMedia } from "./plugin.js";
import type { ReplyMedia } from "./reply-media.js";

/**
 * Sending on one account, for the channel manager: text and attachments through the account's transport with
 * retries (delivery.ts), outcomes noted in the account's status.
 */

/** Attachment size cap for a channel that declares none. */
const DEFAULT_MEDIA_MAX_MB = 20;

export interface AccountSender {
  st: AccountState;
  delivery: DeliveryContext;
  now(): number;
  /** Pincer's state folder: local attachments from it are refused, its workspaces excepted. */
  stateDir?: string | undefined;
  /** The account's status changed (health version, events). */
  changed(): void;
}

/** The account's transport while it is connected. */
export function transportOf(st: AccountState): AccountTransport | undefined {
  return st.status.connected ? st.connection?.transport : undefined;
}

/** Resolves with the transport once the account is connected (the manager wakes the waiters), or undefined. */
export function waitForTransport(
  st: AccountState,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<AccountTransport | undefined> {
  const now = transportOf(st);
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      st.transportWaiters.delete(wake);
      signal.removeEventListener("abort", finish);
      resolve(transportOf(st));
    };
    const wake = () => finish();
    const timer = setTimeout(finish, timeoutMs);
    timer.unref();
    st.transportWaiters.add(wake);
    signal.addEventListener("abort", finish, { once: true });
  });
}

export async function sendTextOn(s: AccountSender, target: OutboundTarget, text: string): Promise<void> {
  await sendWithRetry(s.delivery, (t) => t.sendText(target, text));
  s.st.status.lastOutboundAt = s.now();
}

/** Checks and sends one attachment; never throws: a bad file or a failed send comes back as the error. */
export async function sendMediaOn(
  s: AccountSender,
  target: OutboundTarget,
  media: OutboundMedia,
): Promise<MediaSendResult> {
  const { st } = s;
  const label = st.plugin.meta.label;
  try {
    const maxMb = st.account.config.mediaMaxMb ?? st.plugin.outbound?.mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB;
    const checked = await checkOutboundMedia(media, {
      maxBytes: Math.floor(maxMb * 1024 * 1024),
      platform: label,
      configKey: `channels.${st.channel}.mediaMaxMb`,
      stateDir: s.stateDir,
    });
    const sent = await sendWithRetry(s.delivery, (t) => {
      if (!t.sendMedia) throw new PincerError("INVALID_REQUEST", `${label} cannot send attachments`);
      return t.sendMedia(target, checked);
    });
    st.status.lastOutboundAt = s.now();
    return { ok: true, messageId: sent.messageId };
  } catch (err) {
    return { ok: false, error: toErrorShape(err) };
  }
}

/**
 * Sends one attachment for a caller outside a reply (the message tool): its caption is markdown, rendered here;
 * one too long to ride on the file follows it as text.
 */
export async function sendMediaWithCaption(
  s: AccountSender,
  target: OutboundTarget,
  media: OutboundMedia,
): Promise<MediaSendResult> {
  const { caption: markdown, ...bare } = media;
  const chunks = markdown ? formatFor(s.st.plugin, s.st.account.config, markdown) : [];
  const fits = chunks.length === 1 && chunks[0]!.length <= MAX_CAPTION_CHARS;
  const result = await sendMediaOn(s, target, fits ? { ...bare, caption: chunks[0]! } : bare);
  if (!result.ok || fits) return result;
  for (const chunk of chunks) await sendTextOn(s, target, chunk);
  return result;
}

/** Longest caption that rides on an attachment: Telegram's limit, the strictest of the platforms. */
export const MAX_CAPTION_CHARS = 1024;

/** A reply's text as a caption, when it is one short message (a response prefix keeps text and files apart). */
export function replyCaptionOf(st: AccountState, markdown: string): string | undefined {
  if (st.account.config.responsePrefix || !st.plugin.capabilities.media) return undefined;
  const chunks = formatFor(st.plugin, st.account.config, markdown);
  return chunks.length === 1 && chunks[0]!.length <= MAX_CAPTION_CHARS ? chunks[0] : undefined;
}

/**
 * Sends the attachments a reply named (the first with the reply's text as caption, when it was made one). One
 * that fails is reported to the person and in status, its caption goes out as text, and the rest still go.
 */
export async function sendReplyMedia(
  s: AccountSender,
  msg: InboundMessage,
  media: ReplyMedia,
  log: Logger,
): Promise<void> {
  const { st } = s;
  const { replyToId: _quoted, ...target } = replyTargetOf(msg);
  const sendTexts = async (markdown: string) => {
    for (const chunk of formatFor(st.plugin, st.account.config, markdown)) {
      await sendTextOn(s, target, chunk).catch((err) => log.warn({ err: String(err) }, "reply text not sent"));
    }
  };
  for (const [i, ref] of media.refs.entries()) {
    const caption = i === 0 ? media.caption : undefined;
    const result = await sendMediaOn(s, target, mediaFromRef(ref, caption));
    if (result.ok) continue;
    st.status.lastError = `attachment not sent: ${result.error.message}`;
    log.warn({ code: result.error.code, err: result.error.message }, "reply attachment not sent");
    s.changed();
    if (caption !== undefined && media.captionSource) await sendTexts(media.captionSource);
    // The person should know something is missing; the reason names the file, which the reply named anyway.
    await sendTexts(`(attachment not sent: ${result.error.message})`);
  }
}
