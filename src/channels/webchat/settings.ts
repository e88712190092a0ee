import type { PincerConfig } from "../../config/schema.js";
import type { DmPolicy, WebChatConfig } from "../config-schema.js";

/** `channels.webchat` with its defaults applied: what the visitor endpoint, connect and chat.send read. */
export interface WebChatSettings {
  /** The section exists and is not switched off. */
  configured: boolean;
  dmPolicy: DmPolicy;
  allowFrom: string[];
  agentId?: string;
  greeting?: string;
  /** Messages per minute per visitor. */
  rateLimitPerMinute: number;
  maxMessageChars: number;
}

/** Nothing is exposed until the owner picks a policy: a public page is not a place for a default "pairing". */
export const WEBCHAT_DEFAULT_DM_POLICY: DmPolicy = "disabled";
/** A person types a few messages a minute; a script sends hundreds. */
export const WEBCHAT_DEFAULT_RATE_LIMIT_PER_MINUTE = 12;
/** A long question or a pasted paragraph, not a document: visitors' messages cost the owner tokens. */
export const WEBCHAT_DEFAULT_MAX_MESSAGE_CHARS = 4_000;

export function webchatSettings(config: PincerConfig): WebChatSettings {
  const section = (config.channels?.webchat ?? undefined) as WebChatConfig | undefined;
  const configured = section !== undefined && section.enabled !== false;
  return {
    configured,
    // A switched-off section disables visitors whatever its policy says.
    dmPolicy: configured ? (section.dmPolicy ?? WEBCHAT_DEFAULT_DM_POLICY) : "disabled",
    allowFrom: section?.allowFrom ?? [],
    ...(section?.agentId ? { agentId: section.agentId } : {}),
    ...(section?.greeting ? { greeting: section.greeting } : {}),
    rateLimitPerMinute: section?.rateLimit ?? WEBCHAT_DEFAULT_RATE_LIMIT_PER_MINUTE,
    maxMessageChars: section?.maxMessageChars ?? WEBCHAT_DEFAULT_MAX_MESSAGE_CHARS,
  };
}

/** The refusal for anything visitor-facing while visitors are off, naming the key that turns them on. */
export const WEBCHAT_DISABLED_MESSAGE =
  'WebChat visitors are disabled on this gateway: its owner can set channels.webchat.dmPolicy to "pairing", "allowlist" or "open" in pincer.json';
