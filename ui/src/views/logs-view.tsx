import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { z } from "zod";
import { CallStatus } from "../app/call-status.js";
import { useConnectionId, useGateway } from "../app/gateway-context.js";
import { type CallState, callErrorState } from "../app/use-call.js";

const TailSchema = z.looseObject({ cursor: z.number(), lines: z.array(z.string()), reset: z.boolean().optional() });

/** Lines kept on screen; older ones scroll away (the file keeps them all). */
const MAX_LINES = 2000;
/** How often the tail is read while the page is open. */
const POLL_MS = 1500;

const LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

export interface LogLine {
  id: number;
  level: string;
  time: string;
  msg: string;
  rest: string;
}

/**
 * A JSON log line as level, time, message and the other fields (`message`, ISO time and level names; older
 * lines have pino's `msg`, epoch time and numeric levels); any other line is shown as it is.
 */
export function parseLogLine(raw: string, id: number): LogLine {
  try {
    const obj = JSON.parse(raw) as unknown;
    if (obj && typeof obj === "object" && !Array.isArray(obj)) {
      const { level, time, message, msg, pid: _pid, hostname: _host, ...rest } = obj as Record<string, unknown>;
      return {
        id,
        level: typeof level === "number" ? (LEVELS[level] ?? String(level)) : String(level ?? ""),
        time: time === undefined ? "" : new Date(time as string | number).toLocaleTimeString(),
        msg: typeof message === "string" ? message : typeof msg === "string" ? msg : "",
        rest: Object.keys(rest).length ? JSON.stringify(rest) : "",
      };
    }
  } catch {
    // not JSON: shown raw below
  }
  return { id, level: "", time: "", msg: raw, rest: "" };
}

/** The gateway log, followed live with logs.tail and its cursor (no gaps, no repeats). */
export function LogsView() {
  const gw = useGateway();
  const connId = useConnectionId();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<CallState<true>>({ phase: "loading" });
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState("");
  const cursor = useRef<number | undefined>(undefined);
  const nextId = useRef(0);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!connId || paused) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const raw = await gw.call("logs.tail", {
          limit: 500,
          ...(cursor.current !== undefined ? { cursor: cursor.current } : {}),
        });
        const tail = TailSchema.parse(raw);
        cursor.current = tail.cursor;
        const fresh = tail.lines.map((l) => parseLogLine(l, nextId.current++));
        setLines((old) => (tail.reset ? fresh : [...old, ...fresh]).slice(-MAX_LINES));
        setState({ phase: "ok", data: true });
      } catch (err) {
        setState(callErrorState("logs.tail", err));
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [gw, connId, paused]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && !paused) el.scrollTop = el.scrollHeight;
  }, [lines, paused]);

  const needle = filter.toLowerCase();
  const shown = needle ? lines.filter((l) => `${l.level} ${l.msg} ${l.rest}`.toLowerCase().includes(needle)) : lines;
  return (
    <section class="page logs">
      <div class="toolbar">
        <h1>Logs</h1>
        <input
          type="search"
          placeholder="Filter"
          aria-label="Filter logs"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <button type="button" onClick={() => setPaused(!paused)}>
          {paused ? "Resume" : "Pause"}
        </button>
        <button type="button" onClick={() => setLines([])}>
          Clear
        </button>
      </div>
      <CallStatus state={state} what="logs">
        {() => (
          <div class="log-box" ref={box} data-testid="log-lines">
            {shown.map((l) => (
              <div key={l.id} class={`log log-${l.level}`}>
                <span class="log-time">{l.time}</span> <span class="log-level">{l.level}</span> <span>{l.msg}</span>{" "}
                <span class="meta">{l.rest}</span>
              </div>
            ))}
          </div>
        )}
      </CallStatus>
    </section>
  );
}
