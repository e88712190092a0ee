import { useEffect, useState } from "preact/hooks";
import type { ConnectionStatus } from "../gateway/client.js";

/** Connection state in the header: connected, connecting, or reconnecting with a countdown. */
export function StatusPill({ status }: { status: ConnectionStatus }) {
  const [, setNow] = useState(Date.now());
  useEffect(() => {
    if (status.phase !== "retrying") return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [status]);
  let text: string;
  switch (status.phase) {
    case "open":
      text = "Connected";
      break;
    case "connecting":
      text = status.attempt > 0 ? "Reconnecting…" : "Connecting…";
      break;
    case "retrying":
      text = `Reconnecting in ${Math.max(0, Math.ceil((status.retryAt - Date.now()) / 1000))} s`;
      break;
    case "needs-token":
      text = "Login needed";
      break;
    case "blocked":
      text = "Refused";
      break;
  }
  return (
    <span
      class={`pill pill-${status.phase}`}
      data-testid="connection-status"
      data-phase={status.phase}
      title={status.phase === "retrying" ? status.message : undefined}
    >
      {text}
    </span>
  );
}
