import type { InboundMessage } from "../envelope.js";

/** A PRIVMSG as irc-framework reports it. */
export interface IrcPrivmsg {
  nick: string;
  ident?: string;
  hostname?: string;
  target: string;
  message: string;
  tags?: Record<string, string>;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function isChannelName(target: string): boolean {
  return /^[#&!+]/.test(target);
}

/**
 * The envelope for a PRIVMSG. In a channel the bot is addressed as "nick: …" / "nick, …" (the prefix is removed)
 * or by its nick anywhere as a word. IRC has no message ids; the IRCv3 msgid tag is used when the server sends it.
 */
export function normalizeIrcMessage(
  event: IrcPrivmsg,
  opts: { accountId: string; ownNick: string; fallbackId: () => string; now: number },
): InboundMessage | null {
  if (event.nick.toLowerCase() === opts.ownNick.toLowerCase()) return null;
  const inChannel = isChannelName(event.target);
  const nick = escapeRegExp(opts.ownNick);
  const prefix = new RegExp(`^\\s*@?${nick}[:,]\\s*`, "i");
  const anywhere = new RegExp(`(^|[^\\w-])@?${nick}(?![\\w-])`, "i");
  const addressed = prefix.test(event.message);
  const text = inChannel && addressed ? event.message.replace(prefix, "") : event.message;
  return {
    channel: "irc",
    accountId: opts.accountId,
    chatType: inChannel ? "group" : "direct",
    peerId: inChannel ? event.target.toLowerCase() : event.nick,
    sender: {
      id: event.nick,
      ...(event.ident ? { username: event.ident } : {}),
      ...(event.ident && event.hostname ? { address: `${event.ident}@${event.hostname}` } : {}),
    },
    text,
    media: [],
    mentioned: !inChannel || addressed || anywhere.test(event.message),
    mentions: [],
    messageId: event.tags?.msgid ?? opts.fallbackId(),
    timestamp: event.tags?.time ? Date.parse(event.tags.time) || opts.now : opts.now,
    conversationLabel: inChannel ? event.target : event.nick,
  };
}

/**
 * IRC allowFrom entries: a nick ("alice"), or a mask "nick!ident@host" with * wildcards. A bare nick is only as
 * strong as the network's nick protection (NickServ); a mask with the host is stronger.
 */
export function ircSenderMatches(entry: string, sender: { id: string; address?: string | undefined }): boolean {
  if (!entry.includes("!") && !entry.includes("@")) return entry.toLowerCase() === sender.id.toLowerCase();
  if (!sender.address) return false;
  const mask = `${sender.id}!${sender.address}`;
  const re = new RegExp(`^${entry.split("*").map(escapeRegExp).join(".*")}$`, "i");
  return re.test(mask);
}
