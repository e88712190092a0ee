import { defaultAgentId } from "./hello.js";
import type { GatewayServices } from "./services.js";

/** The health snapshot sent in hello-ok and by the `health` method (OpenClaw's HealthSnapshot subset). */
export function healthSnapshot(services: GatewayServices) {
  const started = performance.now();
  const { config } = services.config.current;
  const channelStatus = services.channels?.status();
  const channels: Record<string, unknown> = channelStatus?.channels ?? {};
  return {
    ok: true as const,
    ts: Date.now(),
    durationMs: Math.round(performance.now() - started),
    defaultAgentId: defaultAgentId(config),
    heartbeatSeconds: 0,
    channels,
    channelOrder: channelStatus?.channelOrder ?? [],
    channelLabels: channelStatus?.channelLabels ?? ({} as Record<string, string>),
    configReload: {
      hotReloadStatus: config.gateway.reload.mode === "off" ? ("disabled" as const) : ("active" as const),
    },
  };
}
