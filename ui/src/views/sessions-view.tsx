import { useState } from "preact/hooks";
import { z } from "zod";
import { CallStatus, formatTime } from "../app/call-status.js";
import { useCall } from "../app/use-call.js";
import { applyHistory, type ChatState, chatItems, initialChatState } from "../chat/chat-state.js";
import { HistorySchema } from "../chat/chat-wire.js";
import { Markdown } from "../chat/markdown-view.js";

const SessionsSchema = z.looseObject({
  count: z.number(),
  sessions: z.array(
    z.looseObject({
      key: z.string(),
      agentId: z.string().optional(),
      updatedAt: z.number().optional(),
      label: z.string().optional(),
      displayName: z.string().optional(),
      model: z.string().optional(),
      lastChannel: z.string().optional(),
      totalTokens: z.number().optional(),
    }),
  ),
});

/** Every session of the gateway, newest first; one opens its history, or continues it in the chat. */
export function SessionsView({ onOpenChat }: { onOpenChat: (key: string) => void }) {
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<string>();
  const [state, reload] = useCall("sessions.list", { limit: 200, ...(search ? { search } : {}) }, SessionsSchema);
  return (
    <section class="page split">
      <div class="pane">
        <div class="toolbar">
          <h1>Sessions</h1>
          <input
            type="search"
            placeholder="Search"
            aria-label="Search sessions"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
          <button type="button" onClick={() => void reload()}>
            Refresh
          </button>
        </div>
        <CallStatus state={state} what="sessions">
          {(data) =>
            data.sessions.length === 0 ? (
              <p class="muted">No sessions yet.</p>
            ) : (
              <ul class="list" data-testid="sessions">
                {data.sessions.map((s) => (
                  <li key={s.key}>
                    <button
                      type="button"
                      class={`row-button ${selected === s.key ? "active" : ""}`}
                      onClick={() => setSelected(s.key)}
                    >
                      <strong>{s.label ?? s.displayName ?? s.key}</strong>
                      <span class="meta">
                        {formatTime(s.updatedAt)}
                        {s.lastChannel ? ` · ${s.lastChannel}` : ""}
                        {s.model ? ` · ${s.model}` : ""}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )
          }
        </CallStatus>
      </div>
      <div class="pane">
        {selected ? (
          <SessionHistory sessionKey={selected} onOpenChat={onOpenChat} />
        ) : (
          <p class="muted">Pick a session to read its history.</p>
        )}
      </div>
    </section>
  );
}

function SessionHistory({ sessionKey, onOpenChat }: { sessionKey: string; onOpenChat: (key: string) => void }) {
  const [state] = useCall("chat.history", { sessionKey, limit: 200 }, HistorySchema, [sessionKey]);
  return (
    <div data-testid="session-history">
      <div class="toolbar">
        <h2 title={sessionKey}>{sessionKey}</h2>
        <button type="button" class="primary" onClick={() => onOpenChat(sessionKey)}>
          Continue in chat
        </button>
      </div>
      <CallStatus state={state} what="history">
        {(history) => {
          const view: ChatState = applyHistory(initialChatState(sessionKey), history, false);
          const items = chatItems({ ...view, live: undefined });
          return items.length === 0 ? (
            <p class="muted">This session has no messages.</p>
          ) : (
            <div class="messages readonly">
              {items.map((item) => (
                <div key={item.key} class={`msg ${item.kind}`}>
                  <div class="bubble">
                    {item.kind === "user" ? (
                      item.text
                    ) : (
                      <Markdown
                        text={item.text || (item.tools.length ? `(${item.tools.map((t) => t.name).join(", ")})` : "")}
                      />
                    )}
                  </div>
                </div>
              ))}
            </div>
          );
        }}
      </CallStatus>
    </div>
  );
}
