import { PincerError } from "../errors.js";
import type { ChannelMeta, ChannelPlugin } from "./plugin.js";

/**
 * The channels Pincer knows: built-ins by a lazy loader (an SDK is imported only when its channel is
 * configured), and plugins registered at start-up. Meta is here so listings need no plugin module.
 */
export interface ChannelEntry {
  id: string;
  meta: ChannelMeta;
  // biome-ignore lint/suspicious/noExplicitAny: each plugin has its own account config type.
  load(): Promise<ChannelPlugin<any>>;
}

export const BUILTIN_CHANNELS: readonly ChannelEntry[] = [
  {
    id: "telegram",
    meta: { label: "Telegram", detailLabel: "Telegram Bot", order: 10 },
    load: async () => (await import("./telegram/plugin.js")).telegramPlugin,
  },
  {
    id: "discord",
    meta: { label: "Discord", detailLabel: "Discord Bot", order: 20 },
    load: async () => (await import("./discord/plugin.js")).discordPlugin,
  },
  {
    id: "slack",
    meta: { label: "Slack", detailLabel: "Slack App", order: 30 },
    load: async () => (await import("./slack/plugin.js")).slackPlugin,
  },
  {
    id: "irc",
    meta: { label: "IRC", detailLabel: "IRC Client", order: 40 },
    load: async () => (await import("./irc/plugin.js")).ircPlugin,
  },
];

export class ChannelRegistry {
  private readonly entries = new Map<string, ChannelEntry>();

  constructor(entries: readonly ChannelEntry[] = BUILTIN_CHANNELS) {
    for (const e of entries) this.entries.set(e.id, e);
  }

  /** Adds a third-party channel; its id must not shadow another. */
  // biome-ignore lint/suspicious/noExplicitAny: each plugin has its own account config type.
  register(plugin: ChannelPlugin<any>): void {
    if (this.entries.has(plugin.id)) {
      throw new PincerError("CONFLICT", `a channel with id "${plugin.id}" is already registered`);
    }
    this.entries.set(plugin.id, { id: plugin.id, meta: plugin.meta, load: async () => plugin });
  }

  get(id: string): ChannelEntry | undefined {
    return this.entries.get(id);
  }

  /** Channels with a section in `channels` that is not switched off, in display order. */
  configured(channels: Record<string, unknown> | undefined): ChannelEntry[] {
    if (!channels) return [];
    return [...this.entries.values()]
      .filter((e) => {
        const section = channels[e.id] as { enabled?: unknown } | undefined;
        return section !== undefined && section !== null && section.enabled !== false;
      })
      .sort((a, b) => a.meta.order - b.meta.order);
  }
}
