import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useConnectionId, useGateway, useGatewayEvent } from "../app/gateway-context.js";
import { GatewayCallError } from "../gateway/client.js";
import {
  applyChatEvent,
  applyHistory,
  applyToolEvent,
  type ChatState,
  dropOutgoing,
  initialChatState,
  markAccepted,
  markFailed,
  queueMessage,
} from "./chat-state.js";
import { AgentEventSchema, ChatEventSchema, HistorySchema, SendAckSchema } from "./chat-wire.js";

/** Transcript messages fetched per history read; older ones stay in the session's Sessions page. */
const HISTORY_LIMIT = 200;

export interface ChatController {
  state: ChatState;
  send(text: string): void;
  retry(key: string): void;
  discard(key: string): void;
  stop(): void;
  error: string | undefined;
}

/**
 * Binds a ChatState to the gateway for one session: reads the transcript on connect and after each run ends,
 * applies `chat` / `agent` events as they stream, and resends messages whose chat.send never got an answer
 * (same idempotencyKey, so the gateway runs each once).
 */
export function useChat(sessionKey: string): ChatController {
  const gw = useGateway();
  const connId = useConnectionId();
  const [state, setState] = useState(() => initialChatState(sessionKey));
  const [error, setError] = useState<string>();
  const stateRef = useRef(state);
  stateRef.current = state;
  const historyTicket = useRef(0);
  const seenConn = useRef<string | undefined>(undefined);

  const update = useCallback((fn: (s: ChatState) => ChatState) => {
    setState((s) => {
      const next = fn(s);
      stateRef.current = next;
      return next;
    });
  }, []);

  const loadHistory = useCallback(
    async (reconnected: boolean) => {
      const ticket = ++historyTicket.current;
      try {
        const raw = await gw.call("chat.history", { sessionKey, limit: HISTORY_LIMIT });
        const parsed = HistorySchema.safeParse(raw);
        // Only the newest read is applied: an older answer arriving late would undo newer state.
        if (ticket !== historyTicket.current) return;
        if (!parsed.success) {
          setError("chat.history answered in an unexpected shape");
          return;
        }
        setError(undefined);
        update((s) => applyHistory(s, parsed.data, reconnected));
      } catch (err) {
        if (ticket === historyTicket.current && !(err instanceof GatewayCallError && err.code === "UNAVAILABLE")) {
          setError(`Could not load the conversation: ${(err as Error).message}`);
        }
      }
    },
    [gw, sessionKey, update],
  );

  const deliver = useCallback(
    async (key: string, text: string) => {
      try {
        const ack = SendAckSchema.safeParse(
          await gw.call("chat.send", { sessionKey, message: text, idempotencyKey: key }),
        );
        if (ack.success) update((s) => markAccepted(s, key, ack.data.runId));
        else update((s) => markFailed(s, key, "the gateway answered chat.send in an unexpected shape"));
      } catch (err) {
        // A dropped connection leaves it "sending": it is resent after the reconnect.
        if (err instanceof GatewayCallError && err.code === "UNAVAILABLE") return;
        if (err instanceof GatewayCallError && err.code === "NOT_PAIRED") {
          // A WebChat visitor awaiting approval: the pairing code and what to do go in the notice, in full.
          update((s) => ({ ...markFailed(s, key, "waiting for the owner's approval"), notice: err.message }));
          return;
        }
        update((s) => markFailed(s, key, (err as Error).message));
      }
    },
    [gw, sessionKey, update],
  );

  // A new session starts from its own transcript.
  useEffect(() => {
    update(() => initialChatState(sessionKey));
    seenConn.current = undefined;
  }, [sessionKey, update]);

  useEffect(() => {
    if (!connId) return;
    const reconnected = seenConn.current !== undefined && seenConn.current !== connId;
    seenConn.current = connId;
    void loadHistory(reconnected).then(() => {
      for (const o of stateRef.current.outbox) if (o.status === "sending") void deliver(o.key, o.text);
    });
  }, [connId, loadHistory, deliver]);

  useGatewayEvent(
    (event, payload) => {
      if (event === "chat") {
        const ev = ChatEventSchema.safeParse(payload);
        if (!ev.success || ev.data.sessionKey !== stateRef.current.sessionKey) return;
        update((s) => applyChatEvent(s, ev.data));
        if (ev.data.state !== "delta") void loadHistory(false);
      } else if (event === "agent") {
        const ev = AgentEventSchema.safeParse(payload);
        if (ev.success && ev.data.stream === "tool") update((s) => applyToolEvent(s, ev.data));
      }
    },
    [loadHistory, update],
  );

  return {
    state,
    error,
    send(text) {
      const key = newIdempotencyKey();
      update((s) => queueMessage(s, key, text, Date.now()));
      void deliver(key, text);
    },
    retry(key) {
      const entry = stateRef.current.outbox.find((o) => o.key === key);
      if (!entry) return;
      update((s) => ({
        ...s,
        outbox: s.outbox.map((o) => (o.key === key ? { ...o, status: "sending", error: undefined } : o)),
      }));
      void deliver(key, entry.text);
    },
    discard(key) {
      update((s) => dropOutgoing(s, key));
    },
    stop() {
      const live = stateRef.current.live;
      void gw
        .call("chat.abort", { sessionKey, ...(live ? { runId: live.runId } : {}) })
        .catch((err: Error) => setError(`Could not stop the reply: ${err.message}`));
    },
  };
}

/** crypto.randomUUID exists only in secure contexts; a gateway reached over plain http on a LAN is not one. */
function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `ui-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
