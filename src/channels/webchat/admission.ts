import { PincerError } from "../../errors.js";
import type { PairingStore } from "../access/pairing-store.js";
import { decideAccess } from "../access/policy.js";
import type { InboundMessage } from "../envelope.js";
import type { SlidingWindowLimiter } from "./rate-limit.js";
import { WEBCHAT_DISABLED_MESSAGE, type WebChatSettings } from "./settings.js";

/**
 * Whether a visitor's message may reach the agent, decided before the agent sees it: the channel must be on,
 * the message within size and rate, and the visitor admitted by dmPolicy through the same access policy and
 * pairing store as every other channel. Every refusal is an error the visitor sees, never a silent drop.
 */

export const WEBCHAT_CHANNEL = "webchat";
/** WebChat has one implicit account; pairing requests and approvals are filed under it. */
export const WEBCHAT_ACCOUNT_ID = "default";

export interface AdmissionInput {
  settings: WebChatSettings;
  visitorId: string;
  text: string;
  pairing: PairingStore;
  limiter: SlidingWindowLimiter;
  now: number;
}

/** What the widget shows a stranger under dmPolicy "pairing": the code and what the owner must run. */
export function visitorPairingText(visitorId: string, code: string): string {
  return [
    "This assistant only talks to visitors its owner has approved.",
    `Pairing code: ${code}`,
    `Your visitor id: ${visitorId}`,
    `Give the code to the owner; they approve you with: pincer pairing approve ${WEBCHAT_CHANNEL} ${code}`,
  ].join("\n");
}

/** Resolves when the message is admitted; throws the PincerError to answer chat.send with otherwise. */
export async function admitVisitorMessage(input: AdmissionInput): Promise<void> {
  const { settings, visitorId, text } = input;
  if (settings.dmPolicy === "disabled") {
    throw new PincerError("FORBIDDEN", WEBCHAT_DISABLED_MESSAGE, { details: { code: "WEBCHAT_DISABLED" } });
  }
  if (!text.trim()) throw new PincerError("INVALID_REQUEST", "params.message is empty: send some text");
  if (text.length > settings.maxMessageChars) {
    throw new PincerError(
      "PAYLOAD_TOO_LARGE",
      `your message is ${text.length.toLocaleString("en")} characters; this chat accepts at most ${settings.maxMessageChars.toLocaleString("en")}: shorten it or split it`,
      { details: { code: "WEBCHAT_MESSAGE_TOO_LONG", maxMessageChars: settings.maxMessageChars } },
    );
  }
  const rate = input.limiter.take(visitorId, settings.rateLimitPerMinute);
  if (!rate.ok) {
    throw new PincerError(
      "RATE_LIMITED",
      `too many messages: this chat takes ${settings.rateLimitPerMinute} a minute; wait ${Math.ceil(rate.retryAfterMs / 1000)} s and send again`,
      { retryable: true, retryAfterMs: rate.retryAfterMs, details: { code: "WEBCHAT_RATE_LIMITED" } },
    );
  }
  const decision = decideAccess({
    msg: visitorMessage(visitorId, text, input.now),
    config: { dmPolicy: settings.dmPolicy, allowFrom: settings.allowFrom },
    pairedFrom: await input.pairing.allowFrom(WEBCHAT_CHANNEL, WEBCHAT_ACCOUNT_ID),
  });
  if (decision.action === "allow") return;
  if (decision.action === "drop") {
    throw new PincerError(
      "FORBIDDEN",
      "this chat only talks to visitors its owner has listed; your message was not delivered",
      { details: { code: "WEBCHAT_NOT_ALLOWED", visitorId } },
    );
  }
  // Unlike a platform DM, the answer goes only to this visitor, so repeating a pending code spams nobody and
  // lets a visitor who reloaded the page see it again.
  const pairing = await input.pairing.upsertRequest(WEBCHAT_CHANNEL, WEBCHAT_ACCOUNT_ID, {
    id: visitorId,
    label: `visitor ${visitorId.slice(0, 8)}`,
  });
  if (pairing.status === "limit") {
    throw new PincerError(
      "NOT_PAIRED",
      "this chat only talks to approved visitors, and its owner has too many pending requests right now: try again later",
      { retryable: true, details: { code: "PAIRING_LIMIT" } },
    );
  }
  throw new PincerError("NOT_PAIRED", visitorPairingText(visitorId, pairing.code), {
    details: { code: "PAIRING_REQUIRED", pairingCode: pairing.code, visitorId },
  });
}

/** The envelope access control reads: a direct message from the visitor to the assistant. */
function visitorMessage(visitorId: string, text: string, now: number): InboundMessage {
  return {
    channel: WEBCHAT_CHANNEL,
    accountId: WEBCHAT_ACCOUNT_ID,
    chatType: "direct",
    peerId: visitorId,
    sender: { id: visitorId },
    text,
    media: [],
    mentioned: true,
    mentions: [],
    messageId: `${visitorId}:${now}`,
    timestamp: now,
  };
}
