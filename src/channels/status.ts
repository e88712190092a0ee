import type { ChannelEntry } from "./registry.js";

/** One account in channels.status (OpenClaw's ChannelAccountSnapshot fields, plus transport identity). */
export interface AccountStatus {
  accountId: string;
  name?: string;
  enabled: boolean;
  configured: boolean;
  running: boolean;
  connected: boolean;
  reconnectAttempts: number;
  lastConnectedAt: number | null;
  lastError: string | null;
  lastStartAt: number | null;
  lastStopAt: number | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  busy: boolean;
  activeRuns: number;
  dmPolicy: string;
  allowFrom: string[];
  mode?: string;
  botId?: string;
  botName?: string;
  [extra: string]: unknown;
}

export interface ChannelSummary {
  configured: boolean;
  running: boolean;
  connected: boolean;
  lastError: string | null;
  accounts: number;
}

/** The `channels.status` result (OpenClaw's ChannelsStatusResult). */
export interface ChannelsStatus {
  ts: number;
  channelOrder: string[];
  channelLabels: Record<string, string>;
  channelDetailLabels: Record<string, string>;
  channelMeta: { id: string; label: string; detailLabel: string }[];
  channels: Record<string, ChannelSummary>;
  channelAccounts: Record<string, AccountStatus[]>;
  channelDefaultAccountId: Record<string, string>;
}

export function buildChannelsStatus(input: {
  now: number;
  entries: readonly ChannelEntry[];
  accounts: readonly { channel: string; status: AccountStatus }[];
  loadErrors: ReadonlyMap<string, string>;
}): ChannelsStatus {
  const out: ChannelsStatus = {
    ts: input.now,
    channelOrder: [],
    channelLabels: {},
    channelDetailLabels: {},
    channelMeta: [],
    channels: {},
    channelAccounts: {},
    channelDefaultAccountId: {},
  };
  for (const entry of [...input.entries].sort((a, b) => a.meta.order - b.meta.order)) {
    const accounts = input.accounts.filter((a) => a.channel === entry.id).map((a) => ({ ...a.status }));
    const loadError = input.loadErrors.get(entry.id);
    out.channelOrder.push(entry.id);
    out.channelLabels[entry.id] = entry.meta.label;
    out.channelDetailLabels[entry.id] = entry.meta.detailLabel;
    out.channelMeta.push({ id: entry.id, label: entry.meta.label, detailLabel: entry.meta.detailLabel });
    out.channelAccounts[entry.id] = accounts;
    out.channelDefaultAccountId[entry.id] = accounts[0]?.accountId ?? "default";
    out.channels[entry.id] = {
      configured: accounts.some((a) => a.configured),
      running: accounts.some((a) => a.running),
      connected: accounts.some((a) => a.connected),
      lastError: loadError ?? accounts.find((a) => a.lastError)?.lastError ?? null,
      accounts: accounts.length,
    };
  }
  return out;
}
