import { ChatView } from "../chat/chat-view.js";
import type { BrowserGateway } from "../gateway/client.js";
import { GatewayContext, useConnectionStatus, useGateway } from "./gateway-context.js";
import { LoginPanel } from "./login.js";
import { StatusPill } from "./status-pill.js";

/** The WebChat page (/chat, also what /webchat.js embeds): the conversation alone, nothing else. */
export function WebChatApp({ gateway }: { gateway: BrowserGateway }) {
  return (
    <GatewayContext.Provider value={gateway}>
      <WebChat />
    </GatewayContext.Provider>
  );
}

function WebChat() {
  const gw = useGateway();
  const status = useConnectionStatus();
  if (status.phase === "needs-token" || status.phase === "blocked") return <LoginPanel status={status} />;
  const key = gw.hello?.snapshot.sessionDefaults?.mainSessionKey;
  return (
    <div class="shell webchat-shell">
      <header class="topbar">
        <span class="brand">Chat</span>
        <div class="topbar-end">
          <StatusPill status={status} />
        </div>
      </header>
      {key && status.phase !== "open" && (
        <p class="offline" role="status">
          Reconnecting to the gateway…
        </p>
      )}
      <main>{key ? <ChatView sessionKey={key} /> : <p class="muted center">Connecting…</p>}</main>
    </div>
  );
}
