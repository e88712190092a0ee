import type { PincerConfig } from "../../config/schema.js";
import type { AccountStatus, ChannelsStatus } from "../status.js";
import { WEBCHAT_ACCOUNT_ID, WEBCHAT_CHANNEL } from "./admission.js";
import type { WebChatHub } from "./hub.js";
import { webchatSettings } from "./settings.js";

/**
 * WebChat's account in channels.status. Its transport is the gateway's own WebSocket, so it is "running"
 * whenever visitors are admitted and "connected" while at least one visitor has the widget open.
 */

export const WEBCHAT_META = { label: "WebChat", detailLabel: "WebChat widget", order: 5 } as const;

export function webchatAccountStatus(config: PincerConfig, hub: WebChatHub): AccountStatus {
  const settings = webchatSettings(config);
  const live = settings.dmPolicy !== "disabled";
  return {
    accountId: WEBCHAT_ACCOUNT_ID,
    enabled: settings.configured,
    configured: settings.configured,
    running: live,
    connected: live && hub.connectedVisitors > 0,
    reconnectAttempts: 0,
    lastConnectedAt: null,
    lastError: live ? null : "visitors are disabled: set channels.webchat.dmPolicy",
    lastStartAt: null,
    lastStopAt: null,
    lastInboundAt: hub.lastInboundAt,
    lastOutboundAt: hub.lastOutboundAt,
    busy: false,
    activeRuns: 0,
    dmPolicy: settings.dmPolicy,
    allowFrom: settings.allowFrom,
    connectedVisitors: hub.connectedVisitors,
    visitorConnections: hub.connections,
    rateLimitPerMinute: settings.rateLimitPerMinute,
    maxMessageChars: settings.maxMessageChars,
    ...(settings.agentId ? { agentId: settings.agentId } : {}),
  };
}

/** channels.status with the WebChat entry added (first in order) when `channels.webchat` is configured. */
export function withWebChatStatus(status: ChannelsStatus, config: PincerConfig, hub: WebChatHub): ChannelsStatus {
  if (!webchatSettings(config).configured || status.channelOrder.includes(WEBCHAT_CHANNEL)) return status;
  const account = webchatAccountStatus(config, hub);
  return {
    ...status,
    channelOrder: [WEBCHAT_CHANNEL, ...status.channelOrder],
    channelLabels: { [WEBCHAT_CHANNEL]: WEBCHAT_META.label, ...status.channelLabels },
    channelDetailLabels: { [WEBCHAT_CHANNEL]: WEBCHAT_META.detailLabel, ...status.channelDetailLabels },
    channelMeta: [{ id: WEBCHAT_CHANNEL, ...WEBCHAT_META }, ...status.channelMeta],
    channels: {
      [WEBCHAT_CHANNEL]: {
        configured: account.configured,
        running: account.running,
        connected: account.connected,
        lastError: account.lastError,
        accounts: 1,
      },
      ...status.channels,
    },
    channelAccounts: { [WEBCHAT_CHANNEL]: [account], ...status.channelAccounts },
    channelDefaultAccountId: { [WEBCHAT_CHANNEL]: WEBCHAT_ACCOUNT_ID, ...status.channelDefaultAccountId },
  };
}
