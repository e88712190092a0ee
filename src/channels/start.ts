import type { PincerConfig } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";
import { PairingStore } from "./access/pairing-store.js";
import type { AgentPort } from "./agent-port.js";
import { ChannelManager } from "./manager.js";

/**
 * True when `channels` has a platform section that is not switched off: only then does the gateway start the
 * manager. WebChat is not one: the gateway's own WebSocket serves it.
 */
export function hasConfiguredChannels(config: PincerConfig): boolean {
  const channels = config.channels as Record<string, { enabled?: unknown } | undefined> | undefined;
  return Object.entries(channels ?? {}).some(
    ([id, s]) => id !== "webchat" && s !== undefined && s !== null && s.enabled !== false,
  );
}

/** Builds and starts the channel manager; it stops when `signal` fires. */
export async function startChannelManager(deps: {
  config: () => PincerConfig;
  agent: () => AgentPort | undefined;
  credentialsDir: string;
  log: Logger;
  signal: AbortSignal;
  onChange?: () => void;
}): Promise<ChannelManager> {
  const manager = new ChannelManager({
    config: deps.config,
    agent: deps.agent,
    pairing: new PairingStore(deps.credentialsDir),
    log: deps.log,
    ...(deps.onChange ? { onChange: deps.onChange } : {}),
  });
  await manager.start(deps.signal);
  return manager;
}
