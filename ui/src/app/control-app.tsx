import { useState } from "preact/hooks";
import { ChatView } from "../chat/chat-view.js";
import type { BrowserGateway } from "../gateway/client.js";
import { forgetSecret, loadSecret } from "../gateway/secret-store.js";
import { ChannelsView } from "../views/channels-view.js";
import { ConfigView } from "../views/config-view.js";
import { CronView } from "../views/cron-view.js";
import { LogsView } from "../views/logs-view.js";
import { PairingView } from "../views/pairing-view.js";
import { SessionsView } from "../views/sessions-view.js";
import { UsageView } from "../views/usage-view.js";
import { GatewayContext, useConnectionStatus, useGateway } from "./gateway-context.js";
import { LoginPanel } from "./login.js";
import { navigate, PAGES, type PagePath, pageHref, useRoute } from "./route.js";
import { StatusPill } from "./status-pill.js";

export function ControlApp({ gateway }: { gateway: BrowserGateway }) {
  return (
    <GatewayContext.Provider value={gateway}>
      <Shell />
    </GatewayContext.Provider>
  );
}

function Shell() {
  const gw = useGateway();
  const status = useConnectionStatus();
  const page = useRoute();
  const [sessionKey, setSessionKey] = useState<string>();

  if (status.phase === "needs-token" || status.phase === "blocked") return <LoginPanel status={status} />;
  const hello = gw.hello;
  const mainKey = hello?.snapshot.sessionDefaults?.mainSessionKey ?? "main";
  const activeKey = sessionKey ?? mainKey;
  const openChat = (key: string) => {
    setSessionKey(key);
    navigate("/");
  };

  return (
    <div class="shell">
      <header class="topbar">
        <a
          class="brand"
          href={pageHref("/")}
          onClick={(e) => {
            e.preventDefault();
            navigate("/");
          }}
        >
          Pincer
        </a>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <NavLink key={p.path} path={p.path} label={p.label} active={p.path === page} />
          ))}
        </nav>
        <div class="topbar-end">
          <StatusPill status={status} />
          {loadSecret() && (
            <button
              type="button"
              class="link"
              title="Remove the stored token from this browser"
              onClick={() => {
                forgetSecret();
                gw.reconnectNow();
              }}
            >
              Log out
            </button>
          )}
        </div>
      </header>
      {hello && status.phase !== "open" && (
        <p class="offline" role="status" data-testid="offline-banner">
          Connection to the gateway lost{status.phase === "retrying" ? ` (${status.message})` : ""}. Reconnecting —
          messages you send meanwhile are delivered once it is back.
        </p>
      )}
      <main>
        {!hello ? (
          <p class="muted center" data-testid="connecting">
            {status.phase === "retrying"
              ? `Gateway unreachable (${status.message}). Retrying…`
              : "Connecting to the gateway…"}
          </p>
        ) : (
          <Page
            page={page}
            sessionKey={activeKey}
            onOpenChat={openChat}
            onNewChat={() => setSessionKey(`${mainKey.replace(/:[^:]*$/, "")}:ui-${Date.now().toString(36)}`)}
          />
        )}
      </main>
    </div>
  );
}

function NavLink({ path, label, active }: { path: PagePath; label: string; active: boolean }) {
  return (
    <a
      href={pageHref(path)}
      class={active ? "active" : ""}
      aria-current={active ? "page" : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );
}

function Page({
  page,
  sessionKey,
  onOpenChat,
  onNewChat,
}: {
  page: PagePath;
  sessionKey: string;
  onOpenChat: (key: string) => void;
  onNewChat: () => void;
}) {
  switch (page) {
    case "/":
      return (
        <div class="chat-page">
          <div class="chat-tools">
            <span class="meta" title={sessionKey} data-testid="session-key">
              {sessionKey}
            </span>
            <button type="button" class="link" onClick={onNewChat}>
              New chat
            </button>
          </div>
          <ChatView sessionKey={sessionKey} />
        </div>
      );
    case "/sessions":
      return <SessionsView onOpenChat={onOpenChat} />;
    case "/channels":
      return <ChannelsView />;
    case "/pairing":
      return <PairingView />;
    case "/cron":
      return <CronView />;
    case "/usage":
      return <UsageView />;
    case "/config":
      return <ConfigView />;
    case "/logs":
      return <LogsView />;
  }
}
