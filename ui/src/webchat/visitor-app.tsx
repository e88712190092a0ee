import { useEffect, useMemo, useState } from "preact/hooks";
import { z } from "zod";
import { GatewayContext, UI_VERSION, useConnectionStatus, useGateway } from "../app/gateway-context.js";
import { WebChatShell } from "../app/webchat-app.js";
import { BrowserGateway, type VisitorCredential } from "../gateway/client.js";
import { gatewaySocketUrl } from "../gateway/secret-store.js";
import { forgetVisitor, obtainVisitor } from "./visitor-identity.js";

/**
 * WebChat for a visitor of the owner's web page: no operator token, a visitor identity from the gateway
 * instead. It shows the owner's greeting, the pairing code while the owner has not approved the visitor yet,
 * and the replies as they stream. When visitors are disabled (the default) it hands the page to the owner's
 * login (`onOperatorLogin`), which is what /chat always was.
 */

/** The part of hello-ok's snapshot a visitor connection adds. */
const VisitorSnapshotSchema = z.looseObject({
  webchat: z.looseObject({ visitorId: z.string(), greeting: z.string().optional() }).optional(),
});

type Phase =
  | { kind: "identifying" }
  | { kind: "ready"; identity: VisitorCredential }
  | { kind: "unavailable"; disabled: boolean; message: string };

export function VisitorApp({ onOperatorLogin }: { onOperatorLogin: () => void }) {
  const [phase, setPhase] = useState<Phase>({ kind: "identifying" });
  const [attempt, setAttempt] = useState(0);
  const [renewed, setRenewed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    void obtainVisitor().then((result) => {
      if (cancelled) return;
      // Visitors off (the default): the page is the owner's chat, behind the gateway login, as it always was.
      if (!result.ok && result.disabled) onOperatorLogin();
      else setPhase(result.ok ? { kind: "ready", identity: result.identity } : { kind: "unavailable", ...result });
    });
    return () => {
      cancelled = true;
    };
  }, [attempt, onOperatorLogin]);

  if (phase.kind === "identifying") return <p class="muted center">Connecting…</p>;
  if (phase.kind === "unavailable") {
    return (
      <div class="login">
        <div class="card">
          <h1>Chat</h1>
          <p class={phase.disabled ? "hint" : "error"} role="alert" data-testid="webchat-unavailable">
            {phase.message}
          </p>
          <div class="row">
            {!phase.disabled && (
              <button type="button" onClick={() => setAttempt((n) => n + 1)}>
                Try again
              </button>
            )}
            <button type="button" class="link" onClick={onOperatorLogin}>
              Owner? Log in with the gateway token
            </button>
          </div>
        </div>
      </div>
    );
  }
  return (
    <VisitorConnection
      identity={phase.identity}
      onIdentityRefused={() => {
        forgetVisitor();
        if (renewed) {
          // A fresh identity refused too: retrying would only count towards the gateway's lockout.
          setPhase({ kind: "unavailable", disabled: false, message: "The chat service refused this browser." });
          return;
        }
        // The gateway's visitor secret changed (or the stored identity is corrupt): start as a new visitor.
        setRenewed(true);
        setPhase({ kind: "identifying" });
        setAttempt((n) => n + 1);
      }}
    />
  );
}

function VisitorConnection({
  identity,
  onIdentityRefused,
}: {
  identity: VisitorCredential;
  onIdentityRefused: () => void;
}) {
  const gateway = useMemo(
    () =>
      new BrowserGateway({
        url: gatewaySocketUrl(),
        secret: () => undefined,
        visitor: () => identity,
        mode: "webchat",
        clientId: "pincer-webchat",
        version: UI_VERSION,
      }),
    [identity],
  );
  useEffect(() => {
    gateway.start();
    return () => gateway.stop();
  }, [gateway]);
  return (
    <GatewayContext.Provider value={gateway}>
      <VisitorChat onIdentityRefused={onIdentityRefused} />
    </GatewayContext.Provider>
  );
}

function VisitorChat({ onIdentityRefused }: { onIdentityRefused: () => void }) {
  const gw = useGateway();
  const status = useConnectionStatus();
  useEffect(() => {
    if (status.phase === "needs-token") onIdentityRefused();
  }, [status.phase, onIdentityRefused]);
  if (status.phase === "blocked") {
    return (
      <div class="login">
        <div class="card">
          <h1>Chat</h1>
          <p class="error" role="alert" data-testid="webchat-unavailable">
            {status.message}
          </p>
          <button type="button" onClick={() => gw.reconnectNow()}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  const hello = gw.hello;
  const key = hello?.snapshot.sessionDefaults?.mainSessionKey;
  const snapshot = VisitorSnapshotSchema.safeParse(hello?.snapshot);
  const greeting = snapshot.success ? snapshot.data.webchat?.greeting : undefined;
  return <WebChatShell status={status} sessionKey={key} greeting={greeting} />;
}
