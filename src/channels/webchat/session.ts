import type { PincerConfig } from "../../config/schema.js";
import { resolveRoute } from "../../routing/resolve-route.js";
import { buildPeerSessionKey, type DmScope, normalizeAgentId } from "../../sessions/keys.js";
import { WEBCHAT_ACCOUNT_ID, WEBCHAT_CHANNEL } from "./admission.js";
import type { WebChatSettings } from "./settings.js";

/**
 * The one session a visitor talks in. It follows session.dmScope like any channel DM, except that "main" is
 * raised to "per-channel-peer": a stranger from the web must never share (or read) the owner's main session.
 */
export function visitorDmScope(configured: DmScope): DmScope {
  return configured === "main" ? "per-channel-peer" : configured;
}

export function visitorRoute(
  config: PincerConfig,
  settings: WebChatSettings,
  visitorId: string,
): { agentId: string; sessionKey: string } {
  const route = resolveRoute(config, {
    channel: WEBCHAT_CHANNEL,
    accountId: WEBCHAT_ACCOUNT_ID,
    peer: { kind: "direct", id: visitorId },
  });
  const agentId = settings.agentId ? normalizeAgentId(settings.agentId) : route.agentId;
  const sessionKey = buildPeerSessionKey({
    agentId,
    mainKey: config.session.mainKey,
    channel: WEBCHAT_CHANNEL,
    accountId: WEBCHAT_ACCOUNT_ID,
    peerKind: "direct",
    peerId: visitorId,
    dmScope: visitorDmScope(config.session.dmScope),
  });
  return { agentId, sessionKey };
}

/** An admitted visitor connection: who it is and the one session it may use. */
export interface VisitorSession {
  visitorId: string;
  agentId: string;
  sessionKey: string;
}
