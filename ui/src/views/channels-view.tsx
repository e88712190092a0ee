import { z } from "zod";
import { CallStatus, formatTime } from "../app/call-status.js";
import { useCall } from "../app/use-call.js";

const AccountSchema = z.looseObject({
  accountId: z.string(),
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  configured: z.boolean().optional(),
  running: z.boolean().optional(),
  connected: z.boolean().optional(),
  lastError: z.string().nullable().optional(),
  lastInboundAt: z.number().nullable().optional(),
});

/** channels.status as OpenClaw defines it (ChannelsStatusResult). */
const ChannelsStatusSchema = z.looseObject({
  channelOrder: z.array(z.string()),
  channelLabels: z.record(z.string(), z.string()),
  channelAccounts: z.record(z.string(), z.array(AccountSchema)),
});

export function ChannelsView() {
  const [state, reload] = useCall("channels.status", {}, ChannelsStatusSchema);
  return (
    <section class="page">
      <div class="toolbar">
        <h1>Channels</h1>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <CallStatus state={state} what="channel status">
        {(data) =>
          data.channelOrder.length === 0 ? (
            <p class="muted">No channels are configured.</p>
          ) : (
            <div class="cards">
              {data.channelOrder.map((id) => (
                <div class="card" key={id}>
                  <h2>{data.channelLabels[id] ?? id}</h2>
                  {(data.channelAccounts[id] ?? []).map((a) => {
                    const health = a.connected ? "ok" : a.running ? "warn" : a.lastError ? "bad" : "off";
                    return (
                      <div class="account" key={a.accountId}>
                        <span class={`dot dot-${health}`} />
                        <strong>{a.name ?? a.accountId}</strong>{" "}
                        <span class="meta">
                          {a.connected
                            ? "connected"
                            : a.running
                              ? "starting"
                              : a.enabled === false
                                ? "disabled"
                                : "stopped"}
                          {a.lastInboundAt ? ` · last message ${formatTime(a.lastInboundAt)}` : ""}
                        </span>
                        {a.lastError && <p class="error">{a.lastError}</p>}
                      </div>
                    );
                  })}
                </div>
              ))}
            </div>
          )
        }
      </CallStatus>
    </section>
  );
}
