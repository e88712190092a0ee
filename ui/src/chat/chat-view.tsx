import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { LiveTool } from "./chat-state.js";
import { type ChatItem, chatItems } from "./chat-state.js";
import { Composer } from "./composer.js";
import { Markdown } from "./markdown-view.js";
import { useChat } from "./use-chat.js";

/** Pixels from the bottom within which new text keeps the view scrolled to the end. */
const STICK_TO_BOTTOM_PX = 80;

/** The conversation of one session: transcript, streaming reply, composer with stop and attachments. */
export function ChatView({ sessionKey, title, greeting }: { sessionKey: string; title?: string; greeting?: string }) {
  const chat = useChat(sessionKey);
  const items = chatItems(chat.state);
  const streaming = chat.state.live?.state === "streaming";
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  });
  useEffect(() => {
    atBottom.current = true;
  }, [sessionKey]);

  return (
    <section class="chat" aria-label="Chat">
      {title && (
        <header class="chat-head">
          <h1 title={chat.state.sessionKey}>{title}</h1>
        </header>
      )}
      <div
        class="messages"
        ref={scroller}
        data-testid="messages"
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX;
        }}
      >
        {!chat.state.loaded && <p class="muted center">Loading the conversation…</p>}
        {greeting && (
          <div class="msg assistant" data-testid="chat-greeting">
            <div class="bubble">{greeting}</div>
          </div>
        )}
        {chat.state.loaded && items.length === 0 && !greeting && (
          <p class="muted center">No messages yet. Say hello — replies stream in as they are written.</p>
        )}
        {items.map((item) => (
          <Message key={item.key} item={item} onRetry={chat.retry} onDiscard={chat.discard} />
        ))}
        {chat.state.notice && (
          <p class="notice" role="status" data-testid="chat-notice">
            {chat.state.notice.split("\n").map((line, i) => (
              <span key={`${i}-${line}`}>
                {i > 0 && <br />}
                {line}
              </span>
            ))}
          </p>
        )}
        {chat.error && (
          <p class="error" role="alert">
            {chat.error}
          </p>
        )}
      </div>
      <Composer streaming={streaming} onSend={chat.send} onStop={chat.stop} />
    </section>
  );
}

function Message({
  item,
  onRetry,
  onDiscard,
}: {
  item: ChatItem;
  onRetry: (key: string) => void;
  onDiscard: (key: string) => void;
}) {
  if (item.kind === "user") {
    return (
      <div class="msg user" data-testid="msg-user" data-pending={item.pending}>
        <div class="bubble">{item.text}</div>
        {item.pending === "sending" && <span class="meta">sending…</span>}
        {item.pending === "failed" && (
          <span class="meta error">
            Not sent: {item.error}{" "}
            <button type="button" class="link" onClick={() => onRetry(item.key)}>
              Retry
            </button>{" "}
            <button type="button" class="link" onClick={() => onDiscard(item.key)}>
              Discard
            </button>
          </span>
        )}
      </div>
    );
  }
  return (
    <div class="msg assistant" data-testid="msg-assistant" data-streaming={item.streaming ? "true" : "false"}>
      {item.thinking && (
        <details class="thinking">
          <summary>Thinking</summary>
          <div class="plain">{item.thinking}</div>
        </details>
      )}
      {item.tools.map((t) => (
        <ToolCall key={t.id} tool={t} />
      ))}
      {(item.text || item.streaming) && (
        <div class="bubble">
          <Markdown text={item.text} />
          {item.streaming && <span class="cursor" role="status" aria-label="writing" />}
        </div>
      )}
      {item.error && (
        <p class="error" role="alert">
          {item.error}
        </p>
      )}
    </div>
  );
}

function ToolCall({ tool }: { tool: LiveTool }) {
  const state = !tool.done ? "running" : tool.isError ? "failed" : "done";
  return (
    <details class={`tool tool-${state}`} data-testid="tool-call">
      <summary>
        <span class="tool-name">{tool.name}</span> <span class="meta">{state}</span>
      </summary>
      {tool.args !== undefined && (
        <>
          <div class="meta">arguments</div>
          <pre>{JSON.stringify(tool.args, null, 2)}</pre>
        </>
      )}
      {tool.result !== undefined && (
        <>
          <div class="meta">result</div>
          <pre>{tool.result}</pre>
        </>
      )}
    </details>
  );
}
