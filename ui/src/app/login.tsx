import { useState } from "preact/hooks";
import type { ConnectionStatus } from "../gateway/client.js";
import { forgetSecret, loadSecret, saveSecret } from "../gateway/secret-store.js";
import { useGateway } from "./gateway-context.js";

/**
 * Asks for the gateway token once; it is kept in this browser (localStorage) and sent only in the connect
 * frame. Shown when the gateway refused the connection, with its reason.
 */
export function LoginPanel({ status }: { status: Extract<ConnectionStatus, { phase: "needs-token" | "blocked" }> }) {
  const gw = useGateway();
  const [secret, setSecret] = useState("");
  const hadSecret = Boolean(loadSecret());
  const submit = (ev: Event) => {
    ev.preventDefault();
    if (!secret.trim()) return;
    saveSecret(secret.trim());
    setSecret("");
    gw.reconnectNow();
  };
  return (
    <div class="login">
      <form class="card" onSubmit={submit} action="#">
        <h1>Connect to this gateway</h1>
        <p class={status.phase === "blocked" ? "error" : "hint"} role="alert" data-testid="login-message">
          {status.message}
        </p>
        {status.phase === "needs-token" && (
          <>
            <label for="gateway-secret">Gateway token or password</label>
            <input
              id="gateway-secret"
              name="gateway-secret"
              type="password"
              autocomplete="current-password"
              value={secret}
              onInput={(e) => setSecret(e.currentTarget.value)}
              autofocus
            />
            <p class="hint">
              It is stored in this browser only and sent only when connecting. Find it in{" "}
              <code>gateway.auth.token</code> of <code>pincer.json</code> or in <code>PINCER_GATEWAY_TOKEN</code>.
            </p>
            <div class="row">
              <button type="submit" class="primary" disabled={!secret.trim()}>
                Connect
              </button>
              {hadSecret && (
                <button
                  type="button"
                  onClick={() => {
                    forgetSecret();
                    gw.reconnectNow();
                  }}
                >
                  Forget stored token
                </button>
              )}
            </div>
          </>
        )}
        {status.phase === "blocked" && (
          <button type="button" onClick={() => gw.reconnectNow()}>
            Try again
          </button>
        )}
      </form>
    </div>
  );
}
