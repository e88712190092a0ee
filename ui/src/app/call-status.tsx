import type { ComponentChildren } from "preact";
import type { CallState } from "./use-call.js";

/**
 * Renders a call's loading / unavailable / error states and hands the data to `children` once loaded.
 * "Unavailable" is a real state: the gateway answered UNKNOWN_METHOD, so the feature is not there yet.
 */
export function CallStatus<T>({
  state,
  children,
  what,
}: {
  state: CallState<T>;
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  switch (state.phase) {
    case "loading":
      return <p class="muted">Loading {what}…</p>;
    case "unavailable":
      return (
        <div class="card unavailable" data-testid="unavailable">
          <h2>Not available on this gateway yet</h2>
          <p>
            This gateway does not offer <code>{state.method}</code>, so there is no {what} to show. It appears here as
            soon as the gateway supports it.
          </p>
        </div>
      );
    case "error":
      return (
        <p class="error" role="alert">
          Could not load {what}: {state.message} ({state.code})
        </p>
      );
    case "ok":
      return <>{children(state.data)}</>;
  }
}

export function formatTime(ms: number | undefined | null): string {
  if (!ms) return "—";
  const d = new Date(ms);
  const sameDay = new Date().toDateString() === d.toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}
