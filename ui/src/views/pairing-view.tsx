import { useState } from "preact/hooks";
import { z } from "zod";
import { CallStatus } from "../app/call-status.js";
import { useGateway, useGatewayEvent } from "../app/gateway-context.js";
import { useCall } from "../app/use-call.js";

/** channels.pairing.list as OpenClaw defines it (ChannelsPairingListResult). */
const PairingListSchema = z.looseObject({
  requests: z.array(
    z.looseObject({
      requestId: z.string(),
      channel: z.string(),
      channelLabel: z.string(),
      accountId: z.string(),
      senderId: z.string(),
      senderLabel: z.string(),
      createdAt: z.string(),
      expiresAt: z.string(),
      /** The 8-character code the sender was given (Pincer answers with it when asked: includeCodes). */
      code: z.string().optional(),
    }),
  ),
  limits: z.looseObject({ pendingPerAccount: z.number(), ttlMs: z.number() }).optional(),
});

/** People who messaged a channel and wait for approval (DM policy "pairing"): approve or dismiss each. */
export function PairingView() {
  const gw = useGateway();
  const [state, reload] = useCall("channels.pairing.list", { includeCodes: true }, PairingListSchema);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  useGatewayEvent(
    (event) => {
      if (event.startsWith("channels.pairing") || event === "pairing.requested") void reload();
    },
    [reload],
  );
  const act = async (
    method: "channels.pairing.approve" | "channels.pairing.dismiss",
    r: { channel: string; accountId: string; requestId: string; senderLabel: string },
  ) => {
    try {
      await gw.call(method, { channel: r.channel, accountId: r.accountId, requestId: r.requestId });
      setResult({ ok: true, text: `${method.endsWith("approve") ? "Approved" : "Dismissed"} ${r.senderLabel}.` });
    } catch (err) {
      setResult({ ok: false, text: (err as Error).message });
    }
    void reload();
  };
  return (
    <section class="page">
      <div class="toolbar">
        <h1>Pairing requests</h1>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      {result && (
        <p class={result.ok ? "ok" : "error"} role="status">
          {result.text}
        </p>
      )}
      <CallStatus state={state} what="pairing requests">
        {(data) =>
          data.requests.length === 0 ? (
            <p class="muted">Nobody is waiting for approval.</p>
          ) : (
            <ul class="list" data-testid="pairing-requests">
              {data.requests.map((r) => (
                <li key={r.requestId} class="card row">
                  <div class="grow">
                    <strong>{r.senderLabel}</strong>{" "}
                    <span class="meta">
                      on {r.channelLabel} ({r.accountId})
                    </span>
                    <div class="meta">
                      {r.code ? (
                        <>
                          code <code data-testid="pairing-code">{r.code}</code> ·{" "}
                        </>
                      ) : null}
                      expires {new Date(r.expiresAt).toLocaleString()}
                    </div>
                  </div>
                  <button type="button" class="primary" onClick={() => void act("channels.pairing.approve", r)}>
                    Approve
                  </button>
                  <button type="button" onClick={() => void act("channels.pairing.dismiss", r)}>
                    Dismiss
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </CallStatus>
    </section>
  );
}
