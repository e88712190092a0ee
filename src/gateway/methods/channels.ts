import { z } from "zod";
import {
  MAX_PENDING_PER_CHANNEL,
  PAIRING_TTL_MS,
  type PairingRequest,
  PairingStore,
} from "../../channels/access/pairing-store.js";
import { ChannelRegistry } from "../../channels/registry.js";
import type { ChannelsStatus } from "../../channels/status.js";
import { WEBCHAT_CHANNEL } from "../../channels/webchat/admission.js";
import { webchatHubOf } from "../../channels/webchat/hub.js";
import { webchatSettings } from "../../channels/webchat/settings.js";
import { withWebChatStatus } from "../../channels/webchat/status.js";
import { PincerError } from "../../errors.js";
import { normalizeAccountId } from "../../sessions/keys.js";
import type { GatewayServices } from "../services.js";
import { defineMethod } from "./types.js";

/**
 * channels.status / start / stop and the channel pairing methods (OpenClaw's names and shapes). Pairing also
 * accepts the human code (`code`) where OpenClaw takes only the opaque `requestId`, so `pincer pairing approve
 * telegram <CODE>` is one call; `channels.pairing.list` returns codes only when asked (`includeCodes`).
 */

const ChannelId = z.string().min(1).max(64);

function emptyStatus(): ChannelsStatus {
  return {
    ts: Date.now(),
    channelOrder: [],
    channelLabels: {},
    channelDetailLabels: {},
    channelMeta: [],
    channels: {},
    channelAccounts: {},
    channelDefaultAccountId: {},
  };
}

function managerOf(services: GatewayServices) {
  if (!services.channels) {
    throw new PincerError("NOT_FOUND", "no channels are configured: add one under `channels` in pincer.json");
  }
  return services.channels;
}

/** The running manager's store, or one on the credentials folder when no channel runs (same files). */
function pairingOf(services: GatewayServices): PairingStore {
  return services.channels?.pairing ?? new PairingStore(services.paths.credentialsDir);
}

function labelOf(channel: string): string {
  return new ChannelRegistry().get(channel)?.meta.label ?? channel;
}

export const channelsStatusMethod = defineMethod({
  name: "channels.status",
  scope: "operator.read",
  params: z.looseObject({
    probe: z.boolean().optional(),
    timeoutMs: z.number().int().min(0).optional(),
    channel: ChannelId.optional(),
  }),
  handler: (p, { services }) => {
    const status = withWebChatStatus(
      services.channels?.status() ?? emptyStatus(),
      services.config.current.config,
      webchatHubOf(services),
    );
    if (!p.channel) return status;
    const only = <T>(rec: Record<string, T>) => (p.channel! in rec ? { [p.channel!]: rec[p.channel!]! } : {});
    return {
      ...status,
      channelOrder: status.channelOrder.filter((c) => c === p.channel),
      channelLabels: only(status.channelLabels),
      channelDetailLabels: only(status.channelDetailLabels),
      channelMeta: status.channelMeta.filter((m) => m.id === p.channel),
      channels: only(status.channels),
      channelAccounts: only(status.channelAccounts),
      channelDefaultAccountId: only(status.channelDefaultAccountId),
    };
  },
});

const AccountParams = z.looseObject({ channel: ChannelId, accountId: z.string().optional() });

export const channelsStartMethod = defineMethod({
  name: "channels.start",
  scope: "operator.admin",
  params: AccountParams,
  handler: async (p, { services }) => {
    const accountIds = await managerOf(services).startAccount(
      p.channel,
      p.accountId ? normalizeAccountId(p.accountId) : undefined,
    );
    return { ok: true, channel: p.channel, accountIds };
  },
});

export const channelsStopMethod = defineMethod({
  name: "channels.stop",
  scope: "operator.admin",
  params: AccountParams,
  handler: async (p, { services }) => {
    const accountIds = await managerOf(services).stopAccount(
      p.channel,
      p.accountId ? normalizeAccountId(p.accountId) : undefined,
    );
    return { ok: true, channel: p.channel, accountIds };
  },
});

function requestView(r: PairingRequest, includeCode: boolean) {
  return {
    requestId: r.requestId,
    channel: r.channel,
    channelLabel: labelOf(r.channel),
    accountId: r.accountId,
    senderId: r.senderId,
    senderLabel: r.senderLabel ?? r.senderId,
    ...(r.meta ? { metadata: r.meta } : {}),
    createdAt: new Date(r.createdAt).toISOString(),
    lastSeenAt: new Date(r.lastSeenAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
    notifySupported: true,
    ...(includeCode ? { code: r.code } : {}),
  };
}

/** Channels whose pairing requests a listing covers: the one asked for, else every configured one. */
function channelsToList(services: GatewayServices, channel?: string): string[] {
  if (channel) return [channel];
  const config = services.config.current.config;
  const ids = new ChannelRegistry().configured(config.channels as Record<string, unknown> | undefined).map((e) => e.id);
  return webchatSettings(config).configured ? [WEBCHAT_CHANNEL, ...ids] : ids;
}

export const channelsPairingListMethod = defineMethod({
  name: "channels.pairing.list",
  scope: "operator.pairing",
  params: z.looseObject({
    channel: ChannelId.optional(),
    accountId: z.string().min(1).optional(),
    includeCodes: z.boolean().optional(),
  }),
  handler: async (p, { services }) => {
    const store = pairingOf(services);
    const accountId = p.accountId ? normalizeAccountId(p.accountId) : undefined;
    const requests: PairingRequest[] = [];
    for (const channel of channelsToList(services, p.channel)) requests.push(...(await store.list(channel, accountId)));
    const accounts = (services.channels?.accountIds() ?? [])
      .filter((a) => (!p.channel || a.channel === p.channel) && (!accountId || a.accountId === accountId))
      .map((a) => ({ channel: a.channel, channelLabel: a.label, accountId: a.accountId, notifySupported: true }));
    return {
      accounts,
      requests: requests.map((r) => requestView(r, p.includeCodes === true)),
      commandOwnerConfigured: false,
      limits: { pendingPerAccount: MAX_PENDING_PER_CHANNEL, ttlMs: PAIRING_TTL_MS },
    };
  },
});

const ResolveParams = z
  .looseObject({
    channel: ChannelId,
    accountId: z.string().min(1).optional(),
    requestId: z.string().min(1).optional(),
    code: z.string().min(1).max(64).optional(),
    notify: z.boolean().optional(),
    bootstrapCommandOwner: z.boolean().optional(),
  })
  .refine((p) => p.requestId !== undefined || p.code !== undefined, {
    message: "give the pairing code (code) or the request id (requestId)",
    path: ["code"],
  });

function notFound(channel: string, p: { code?: string | undefined; requestId?: string | undefined }): PincerError {
  const what = p.code ? `code ${p.code.toUpperCase()}` : `request ${p.requestId}`;
  return new PincerError(
    "NOT_FOUND",
    `no pending ${channel} pairing request with ${what}: codes expire after ${PAIRING_TTL_MS / 60_000} minutes; ask the sender to message the bot again for a new code (pincer pairing list ${channel} shows what is pending)`,
  );
}

/** Which pending request an approve/dismiss names: by code or request id, optionally within one account. */
function pairingMatch(p: {
  code?: string | undefined;
  requestId?: string | undefined;
  accountId?: string | undefined;
}) {
  return { code: p.code, requestId: p.requestId, accountId: p.accountId ? normalizeAccountId(p.accountId) : undefined };
}

export const channelsPairingApproveMethod = defineMethod({
  name: "channels.pairing.approve",
  scope: "operator.pairing",
  params: ResolveParams,
  handler: async (p, { services }) => {
    const approved = await pairingOf(services).approve(p.channel, pairingMatch(p));
    if (!approved) throw notFound(p.channel, p);
    services.log.info(
      { channel: p.channel, accountId: approved.accountId, senderId: approved.senderId },
      "pairing approved",
    );
    const notification = p.notify
      ? ((await services.channels?.notifyApproved(p.channel, approved.accountId, approved.senderId)) ?? "unsupported")
      : "not-requested";
    return {
      requestId: approved.requestId,
      senderId: approved.senderId,
      notification,
      commandOwnerBootstrap: p.bootstrapCommandOwner ? "unavailable" : "not-requested",
    };
  },
});

export const channelsPairingDismissMethod = defineMethod({
  name: "channels.pairing.dismiss",
  scope: "operator.pairing",
  params: ResolveParams,
  handler: async (p, { services }) => {
    const dismissed = await pairingOf(services).reject(p.channel, pairingMatch(p));
    if (!dismissed) throw notFound(p.channel, p);
    return { requestId: dismissed.requestId, senderId: dismissed.senderId };
  },
});

export const channelMethods = [
  channelsStatusMethod,
  channelsStartMethod,
  channelsStopMethod,
  channelsPairingListMethod,
  channelsPairingApproveMethod,
  channelsPairingDismissMethod,
];
