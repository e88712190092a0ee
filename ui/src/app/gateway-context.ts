import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import { BrowserGateway, type ConnectionStatus } from "../gateway/client.js";
import { gatewaySocketUrl, loadSecret } from "../gateway/secret-store.js";

/** The UI's version, sent in the connect frame (client.version). */
export const UI_VERSION = "0.1.0";

export function createGateway(mode: "ui" | "webchat"): BrowserGateway {
  return new BrowserGateway({
    url: gatewaySocketUrl(),
    secret: loadSecret,
    mode,
    clientId: mode === "ui" ? "pincer-control-ui" : "pincer-webchat",
    version: UI_VERSION,
  });
}

export const GatewayContext = createContext<BrowserGateway | undefined>(undefined);

export function useGateway(): BrowserGateway {
  const gw = useContext(GatewayContext);
  if (!gw) throw new Error("useGateway outside GatewayContext.Provider");
  return gw;
}

export function useConnectionStatus(): ConnectionStatus {
  const gw = useGateway();
  const [status, setStatus] = useState(gw.status);
  useEffect(() => {
    setStatus(gw.status);
    return gw.onStatus(setStatus);
  }, [gw]);
  return status;
}

/** The id of the current connection; changes on every reconnect so views can fetch again. */
export function useConnectionId(): string | undefined {
  const status = useConnectionStatus();
  return status.phase === "open" ? status.hello.server.connId : undefined;
}

/** Subscribes to gateway events for the component's lifetime. */
export function useGatewayEvent(fn: (event: string, payload: unknown) => void, deps: unknown[]): void {
  const gw = useGateway();
  // The caller lists what `fn` closes over in `deps`.
  useEffect(() => gw.onEvent(fn), [gw, ...deps]);
}
