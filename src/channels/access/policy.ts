import type { CommonAccountConfig, DmPolicy, GroupPolicy } from "../config-schema.js";
import type { InboundMessage, InboundSender } from "../envelope.js";
import type { GroupAccess } from "../plugin.js";

/**
 * Who may reach the agent, decided before anything else sees a message. Pure: the caller supplies the account's
 * config, the senders approved through pairing, and the group's settings as the channel resolved them.
 *
 * Direct messages follow dmPolicy: "pairing" (default) answers a stranger with a pairing code and nothing else,
 * "allowlist" ignores strangers, "open" admits anyone, "disabled" ignores every DM. Groups follow groupPolicy:
 * "allowlist" (default) admits a listed group ("*" lists all) or an allowed sender, "open" any group, "disabled"
 * none; then a group message must mention the bot unless requireMention is false.
 */

export const DEFAULT_DM_POLICY: DmPolicy = "pairing";
export const DEFAULT_GROUP_POLICY: GroupPolicy = "allowlist";

export type AccessDecision =
  | { action: "allow" }
  | { action: "pair" }
  | {
      action: "drop";
      reason: "dm-disabled" | "dm-not-allowed" | "group-disabled" | "group-not-allowed" | "not-mentioned";
    };

export interface AccessInput {
  msg: InboundMessage;
  config: CommonAccountConfig;
  /** Sender ids approved through pairing (credentials/<channel>-pairing.json). */
  pairedFrom: readonly string[];
  /** For group messages: the group's settings. */
  group?: GroupAccess | undefined;
  normalizeEntry?: ((entry: string) => string) | undefined;
  senderMatches?: ((entry: string, sender: InboundSender) => boolean) | undefined;
}

/** The default sender match: the entry is the sender's id, or "@username" / "username" case-insensitively. */
export function defaultSenderMatches(entry: string, sender: InboundSender): boolean {
  if (entry === sender.id) return true;
  const name = entry.replace(/^@/, "").toLowerCase();
  return sender.username !== undefined && name === sender.username.replace(/^@/, "").toLowerCase();
}

function allowed(list: readonly string[] | undefined, input: AccessInput): boolean {
  if (!list) return false;
  const normalize = input.normalizeEntry ?? ((e: string) => e.trim());
  const matches = input.senderMatches ?? defaultSenderMatches;
  return list.some((raw) => {
    const entry = normalize(raw);
    return entry === "*" || matches(entry, input.msg.sender);
  });
}

/** The group's settings from the generic `groups` map: listed by id or "*", mention gating inherited. */
export function groupAccessFromConfig(config: CommonAccountConfig, groupId: string): GroupAccess {
  const entry = config.groups?.[groupId] ?? config.groups?.["*"];
  const allowFrom = entry?.allowFrom ?? entry?.users;
  return {
    listed: entry !== undefined,
    enabled: entry?.enabled !== false,
    requireMention: entry?.requireMention ?? config.requireMention ?? true,
    ...(allowFrom ? { allowFrom } : {}),
  };
}

export function decideAccess(input: AccessInput): AccessDecision {
  const { msg, config } = input;
  if (msg.chatType === "direct") {
    const policy = config.dmPolicy ?? DEFAULT_DM_POLICY;
    if (policy === "disabled") return { action: "drop", reason: "dm-disabled" };
    if (policy === "open") return { action: "allow" };
    if (allowed(config.allowFrom, input) || allowed(input.pairedFrom, input)) return { action: "allow" };
    return policy === "pairing" ? { action: "pair" } : { action: "drop", reason: "dm-not-allowed" };
  }

  const policy = config.groupPolicy ?? DEFAULT_GROUP_POLICY;
  const group = input.group ?? groupAccessFromConfig(config, msg.parentPeerId ?? msg.peerId);
  if (policy === "disabled" || !group.enabled) return { action: "drop", reason: "group-disabled" };
  if (policy === "allowlist") {
    // A group-specific sender list is authoritative; otherwise a listed group admits its members and an
    // unlisted one admits only senders the account already trusts (allowFrom, groupAllowFrom, paired).
    const admitted = group.allowFrom
      ? allowed(group.allowFrom, input)
      : group.listed || allowed(config.groupAllowFrom ?? config.allowFrom, input) || allowed(input.pairedFrom, input);
    if (!admitted) return { action: "drop", reason: "group-not-allowed" };
  } else if (group.allowFrom && !allowed(group.allowFrom, input)) {
    return { action: "drop", reason: "group-not-allowed" };
  }
  if (group.requireMention && !msg.mentioned) return { action: "drop", reason: "not-mentioned" };
  return { action: "allow" };
}
