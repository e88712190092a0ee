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
  return <WebChatShell status={status} sessionKey={gw.hello?.snapshot.sessionDefaults?.mainSessionKey} />;
}

/**
 * The chat page's frame, shared by the operator's WebChat and the visitor's: header with the connection
 * status, a reconnect notice, and the conversation of `sessionKey` once the gateway has named it.
 */
export function WebChatShell({
  status,
  sessionKey,
  greeting,
}: {
  status: ReturnType<typeof useConnectionStatus>;
  sessionKey: string | undefined;
  greeting?: string | undefined;
}) {
  return (
    <div class="shell webchat-shell">
      <header class="topbar">
        <span class="brand">Chat</span>
        <div class="topbar-end">
          <StatusPill status={status} />
        </div>
      </header>
      {sessionKey && status.phase !== "open" && (
        <p class="offline" role="status">
          Reconnecting…
        </p>
      )}
      <main>
        {sessionKey ? (
          <ChatView sessionKey={sessionKey} {...(greeting ? { greeting } : {})} />
        ) : (
          <p class="muted center">Connecting…</p>
        )}
      </main>
    </div>
  );
}
