import type { AgentEvent, ChatEvent, ChatMessage, History } from "./chat-wire.js";
import { textOf } from "./chat-wire.js";

/**
 * The chat view's state as pure transitions. The transcript (chat.history) is the truth; what the browser
 * adds on top is the outbox (messages not yet seen in the transcript) and the live run (the reply being
 * streamed). After every terminal event and every reconnect the transcript is fetched again and the two are
 * reconciled against it, so a reconnect neither loses nor duplicates a message.
 */

export interface Outgoing {
  /** The chat.send idempotencyKey: a resend after a dropped connection is recognised by the gateway. */
  key: string;
  text: string;
  createdAt: number;
  /** Id of the last transcript message when this was sent; the echo is looked for after it. */
  afterId: string | undefined;
  status: "sending" | "accepted" | "failed";
  runId?: string;
  error?: string;
}

export interface LiveTool {
  id: string;
  name: string;
  args?: unknown;
  result?: string;
  isError?: boolean;
  done: boolean;
}

export interface LiveRun {
  runId: string;
  text: string;
  tools: LiveTool[];
  state: "streaming" | "final" | "aborted" | "error";
  error?: string;
}

export interface ChatState {
  sessionKey: string;
  messages: ChatMessage[];
  loaded: boolean;
  outbox: Outgoing[];
  live?: LiveRun;
  /** Runs that ended: late or repeated deltas for them are ignored. */
  finishedRuns: string[];
  notice?: string;
}

/** Enough to drop repeated events of recent runs without growing for ever. */
const FINISHED_RUNS_KEPT = 50;

export function initialChatState(sessionKey: string): ChatState {
  return { sessionKey, messages: [], loaded: false, outbox: [], finishedRuns: [] };
}

export function queueMessage(state: ChatState, key: string, text: string, now: number): ChatState {
  const entry: Outgoing = { key, text, createdAt: now, afterId: state.messages.at(-1)?.id, status: "sending" };
  return { ...state, outbox: [...state.outbox, entry], notice: undefined };
}

export function markAccepted(state: ChatState, key: string, runId: string): ChatState {
  return { ...state, outbox: state.outbox.map((o) => (o.key === key ? { ...o, status: "accepted", runId } : o)) };
}

export function markFailed(state: ChatState, key: string, error: string): ChatState {
  return { ...state, outbox: state.outbox.map((o) => (o.key === key ? { ...o, status: "failed", error } : o)) };
}

export function dropOutgoing(state: ChatState, key: string): ChatState {
  return { ...state, outbox: state.outbox.filter((o) => o.key !== key) };
}

/** A `chat` event. Returns the same state object when the event is not for this session or is stale. */
export function applyChatEvent(state: ChatState, ev: ChatEvent): ChatState {
  if (ev.sessionKey !== state.sessionKey) return state;
  if (state.finishedRuns.includes(ev.runId)) return state;
  const current = state.live?.runId === ev.runId ? state.live : undefined;
  // Deltas carry the whole text so far: taking it (rather than appending) makes a repeated delta harmless.
  const text = ev.message ? textOf(ev.message) : (current?.text ?? "") + (ev.deltaText ?? "");
  const base: LiveRun = current ?? { runId: ev.runId, text: "", tools: [], state: "streaming" };
  if (ev.state === "delta") return { ...state, live: { ...base, text }, notice: undefined };
  const live: LiveRun = {
    ...base,
    text: text || base.text,
    state: ev.state,
    ...(ev.state === "error" ? { error: ev.errorMessage ?? "the reply failed" } : {}),
  };
  return {
    ...state,
    live,
    finishedRuns: [...state.finishedRuns, ev.runId].slice(-FINISHED_RUNS_KEPT),
    notice: ev.state === "aborted" ? "Reply stopped." : state.notice,
  };
}

/** The `tool` stream of an `agent` event: tool calls of the live run, shown folded while it streams. */
export function applyToolEvent(state: ChatState, ev: AgentEvent): ChatState {
  if (ev.stream !== "tool" || ev.data.sessionKey !== state.sessionKey) return state;
  if (state.finishedRuns.includes(ev.runId)) return state;
  const id = ev.data.toolCallId ?? `${ev.runId}-${ev.data.name ?? "tool"}`;
  const base: LiveRun =
    state.live?.runId === ev.runId ? state.live : { runId: ev.runId, text: "", tools: [], state: "streaming" };
  const existing = base.tools.find((t) => t.id === id);
  const tool: LiveTool = {
    ...(existing ?? { id, name: ev.data.name ?? "tool", done: false }),
    ...(ev.data.phase === "start" ? { args: ev.data.args } : {}),
    ...(ev.data.phase === "result"
      ? { result: ev.data.result ?? "", isError: ev.data.isError ?? false, done: true }
      : {}),
  };
  const tools = existing ? base.tools.map((t) => (t.id === id ? tool : t)) : [...base.tools, tool];
  return { ...state, live: { ...base, tools } };
}

/**
 * Takes a fresh transcript. Outbox entries that now appear in it are dropped; the live run is dropped once
 * the transcript was read after it ended (it then holds the reply), and a run the transcript says is still in
 * flight is followed. `reconnected` marks a fetch after the socket came back: a streaming run the gateway no
 * longer knows was cut off.
 */
export function applyHistory(state: ChatState, history: History, reconnected: boolean): ChatState {
  const messages = history.messages;
  const outbox = reconcileOutbox(messages, state.outbox);
  let live = state.live;
  let notice = state.notice;
  const inFlight = history.inFlightRun ?? null;
  if (live && live.state !== "streaming") {
    if (inFlight !== live.runId) live = undefined;
  } else if (live) {
    if (inFlight === null && reconnected) {
      live = undefined;
      notice = "The reply was interrupted (the connection dropped or the gateway restarted). Below is what it kept.";
    } else if (inFlight && inFlight !== live.runId) {
      live = { runId: inFlight, text: "", tools: [], state: "streaming" };
    }
  }
  if (!live && inFlight && !state.finishedRuns.includes(inFlight)) {
    live = { runId: inFlight, text: "", tools: [], state: "streaming" };
  }
  // The gateway answers with the resolved key ("main" becomes agent:<id>:main); events carry that key.
  return { ...state, sessionKey: history.sessionKey, messages, loaded: true, outbox, live, notice };
}

/**
 * Drops outbox entries whose echo is in the transcript. Entries are matched in order, each to the first
 * unclaimed user message with its text after its anchor; an entry still waiting moves its anchor past the
 * echo of an earlier identical entry, so that echo is never counted twice.
 */
function reconcileOutbox(messages: ChatMessage[], outbox: Outgoing[]): Outgoing[] {
  const claimed = new Set<number>();
  const kept: Outgoing[] = [];
  const lastClaimByText = new Map<string, number>();
  for (const entry of outbox) {
    if (entry.status === "failed") {
      kept.push(entry);
      continue;
    }
    const anchor = entry.afterId ? messages.findIndex((m) => m.id === entry.afterId) : -1;
    // The anchor can be gone (session reset, compaction): then any user message sent since counts.
    let from = anchor >= 0 ? anchor + 1 : 0;
    const earlier = lastClaimByText.get(entry.text);
    if (earlier !== undefined) from = Math.max(from, earlier + 1);
    const hit = messages.findIndex(
      (m, i) =>
        i >= from &&
        !claimed.has(i) &&
        m.role === "user" &&
        textOf(m) === entry.text &&
        (anchor >= 0 || m.timestamp === undefined || m.timestamp >= entry.createdAt - CLOCK_SKEW_MS),
    );
    if (hit >= 0) {
      claimed.add(hit);
      lastClaimByText.set(entry.text, hit);
      continue;
    }
    kept.push(earlier !== undefined ? { ...entry, afterId: messages[earlier]?.id ?? entry.afterId } : entry);
  }
  return kept;
}

/** Browser and gateway clocks can differ; a message is "since sending" within this tolerance. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** One rendered row of the conversation. */
export type ChatItem =
  | { kind: "user"; key: string; text: string; pending?: Outgoing["status"]; error?: string }
  | {
      kind: "assistant";
      key: string;
      text: string;
      thinking: string;
      tools: LiveTool[];
      streaming: boolean;
      error?: string;
    };

/** The transcript plus outbox plus live run as rows; tool results are folded into the call that made them. */
export function chatItems(state: ChatState): ChatItem[] {
  const items: ChatItem[] = [];
  const toolById = new Map<string, LiveTool>();
  state.messages.forEach((m, i) => {
    const key = m.id ?? `m${i}`;
    if (m.role === "user") {
      items.push({ kind: "user", key, text: textOf(m) });
    } else if (m.role === "assistant") {
      const parts = typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content ?? []);
      const tools: LiveTool[] = [];
      for (const p of parts) {
        if (p.type !== "toolCall") continue;
        const tool: LiveTool = {
          id: p.id ?? `${key}-t${tools.length}`,
          name: p.name ?? "tool",
          args: p.arguments,
          done: false,
        };
        toolById.set(tool.id, tool);
        tools.push(tool);
      }
      const thinking = parts
        .filter((p) => p.type === "thinking")
        .map((p) => p.thinking ?? "")
        .join("\n");
      items.push({
        kind: "assistant",
        key,
        text: textOf(m),
        thinking,
        tools,
        streaming: false,
        ...(m.stopReason === "error" && m.errorMessage ? { error: m.errorMessage } : {}),
      });
    } else if (m.role === "toolResult" && m.toolCallId) {
      const tool = toolById.get(m.toolCallId);
      if (tool) {
        tool.result = textOf(m);
        tool.isError = m.isError ?? false;
        tool.done = true;
      }
    }
  });
  for (const o of state.outbox) {
    items.push({ kind: "user", key: o.key, text: o.text, pending: o.status, ...(o.error ? { error: o.error } : {}) });
  }
  const live = state.live;
  if (live) {
    items.push({
      kind: "assistant",
      key: `live-${live.runId}`,
      text: live.text,
      thinking: "",
      tools: live.tools,
      streaming: live.state === "streaming",
      ...(live.error ? { error: live.error } : {}),
    });
  }
  return items;
}
