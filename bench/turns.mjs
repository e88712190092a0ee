#!/usr/bin/env node
/**
 * Per-turn gateway overhead with an instant fake model. Sessions talk to the real gateway process over the
 * WebSocket protocol: chat.send, then wait for the run's terminal `chat` event. The fake LLM runs in its own
 * process and times each request from its side, so the gateway's share is end-to-end minus the fake's time.
 *   - closed loop: N sessions (1, 50, 200), each sending its next message as soon as the last one finished;
 *     gives turns/s, latency and the gateway's CPU time per turn;
 *   - open loop: 200 sessions each sending one message a second (DESIGN §6's "200 concurrent sessions"), and
 *     one every 4 s;
 *   - leak check: RSS and live heap (after a full GC forced through the inspector) before and after 10,000
 *     more turns.
 * A session key takes at most SESSION_TURNS turns, then its worker moves to a fresh one, so the prompt does
 * not grow without end and every level measures the same kind of turn.
 * Usage: node bench/turns.mjs [--turns 2000] [--leak-turns 10000] [--open-seconds 10] [--connections 4] [--json]
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { fakeModelConfig, startTimedFakeLlm } from "./lib/fake-llm.mjs";
import { heapAfterGc, inspectorUrl } from "./lib/inspector.mjs";
import { loadGatewayClient, startPincer } from "./lib/pincer.mjs";
import { cpuTimeMs, sleep, treeRss } from "./lib/proc.mjs";
import { mb, round, summarize } from "./lib/stats.mjs";

const SESSION_TURNS = 20;
const TURN_TIMEOUT_MS = 30_000;
/** How long an open-loop run waits for its backlog after the last message was sent. */
const OPEN_LOOP_GRACE_MS = 60_000;
const MESSAGE = "benchmark turn: reply with anything";

class TurnTimeout extends Error {}

/** Connections share the sessions round-robin; every connection receives every chat event, as the protocol does. */
export class Driver {
  waiters = new Map();
  clients = [];
  next = 0;
  errors = 0;

  async connect(GatewayClient, url, count) {
    const onEvent = (event, payload) => {
      if (event !== "chat" || payload?.state === "delta") return;
      const waiter = this.waiters.get(payload?.runId);
      if (!waiter) return; // already resolved through another connection
      this.waiters.delete(payload.runId);
      waiter(payload);
    };
    for (let i = 0; i < count; i++) {
      this.clients.push(await GatewayClient.connect({ url, clientId: `bench-${i}`, mode: "backend", onEvent }));
    }
  }

  /** One turn; resolves with its end-to-end latency in ms. runId = idempotencyKey, as chat.send defines it. */
  async turn(sessionKey, timeoutMs = TURN_TIMEOUT_MS) {
    const client = this.clients[this.next++ % this.clients.length];
    const runId = randomUUID();
    const t0 = performance.now();
    const terminal = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(runId);
        reject(new TurnTimeout(`bench: no terminal chat event for run ${runId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(runId, (payload) => {
        clearTimeout(timer);
        resolve(payload);
      });
    });
    await client.call("chat.send", { sessionKey, message: MESSAGE, idempotencyKey: runId });
    const payload = await terminal;
    const latency = performance.now() - t0;
    if (payload.state !== "final") {
      this.errors++;
      if (this.errors === 1) process.stderr.write(`turns: a turn ended ${payload.state}: ${JSON.stringify(payload)}\n`);
    }
    return latency;
  }

  close() {
    for (const c of this.clients) c.close();
  }
}

/** A worker's session keys: a fresh key every SESSION_TURNS turns. */
function sessionCursor(prefix) {
  let n = 0;
  return () => `${prefix}-${Math.floor(n++ / SESSION_TURNS)}`;
}

export async function closedLoop(driver, { sessions, turns, tag }) {
  let started = 0;
  const latencies = [];
  const worker = async (w) => {
    const key = sessionCursor(`${tag}-${w}`);
    while (started < turns) {
      started++;
      latencies.push(await driver.turn(key()));
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: sessions }, (_, w) => worker(w)));
  return { latencies, wallMs: performance.now() - t0 };
}

/**
 * Each session sends one message every periodMs (phases spread evenly), whatever the replies' pace. When the
 * offered rate is above what the gateway sustains, the backlog can outlast the run: a turn still unanswered
 * OPEN_LOOP_GRACE_MS after the last send counts as unfinished, with that wait as its (lower-bound) latency.
 */
async function openLoop(driver, { sessions, periodMs, durationMs, tag }) {
  const latencies = [];
  const inFlight = [];
  let unfinished = 0;
  const deadline = performance.now() + durationMs;
  const session = async (s) => {
    const key = sessionCursor(`${tag}-${s}`);
    let due = performance.now() + (s * periodMs) / sessions;
    while (due < deadline) {
      await sleep(Math.max(0, due - performance.now()));
      const timeoutMs = deadline - performance.now() + OPEN_LOOP_GRACE_MS;
      const turn = driver.turn(key(), timeoutMs).then(
        (ms) => latencies.push(ms),
        (err) => {
          if (!(err instanceof TurnTimeout)) throw err;
          unfinished++;
          latencies.push(timeoutMs);
        },
      );
      inFlight.push(turn);
      due += periodMs;
    }
  };
  await Promise.all(Array.from({ length: sessions }, (_, s) => session(s)));
  await Promise.all(inFlight);
  return { latencies, unfinished };
}

/** Idle time before an RSS reading: V8's memory reducer returns unused heap pages after some seconds of quiet. */
const SETTLE_MS = 10_000;

/** Waits (up to maxMs) until the gateway uses under 5% of a core: an overloaded run's backlog has drained. */
async function quiet(pid, maxMs = 120_000) {
  const end = performance.now() + maxMs;
  let last = cpuTimeMs(pid);
  while (performance.now() < end) {
    await sleep(1_000);
    const now = cpuTimeMs(pid);
    if (now - last < 50) return;
    last = now;
  }
}

async function settledRss(pid) {
  await sleep(SETTLE_MS);
  return treeRss(pid).bytes;
}

export async function runTurnsBench({
  levels = [1, 50, 200],
  turns = 2_000,
  leakTurns = 10_000,
  openSeconds = 10,
  openPeriodsMs = [4_000, 1_000],
  connections = 4,
  log = () => {},
} = {}) {
  const fake = await startTimedFakeLlm();
  let gw;
  let driver;
  try {
    // The inspector lets the leak check force a full GC inside the gateway and read its live heap.
    gw = await startPincer({ config: fakeModelConfig(fake), nodeArgs: ["--inspect=127.0.0.1:0"] });
    const inspector = inspectorUrl(gw.output());
    if (!inspector) throw new Error(`bench: no inspector URL in the gateway's output:\n${gw.output()}`);
    driver = new Driver();
    await driver.connect(await loadGatewayClient(), gw.url, connections);
    log("warm-up: 200 turns");
    await closedLoop(driver, { sessions: 10, turns: 200, tag: "warmup" });
    await fake.takeDurations();

    const closed = [];
    for (const sessions of levels) {
      const n = sessions === 1 ? Math.min(turns, 500) : turns;
      log(`closed loop: ${sessions} session(s), ${n} turns`);
      const cpu0 = cpuTimeMs(gw.pid);
      const { latencies, wallMs } = await closedLoop(driver, { sessions, turns: n, tag: `c${sessions}` });
      const cpuMs = cpuTimeMs(gw.pid) - cpu0;
      const fakeMs = await fake.takeDurations();
      closed.push({
        sessions,
        turns: n,
        turnsPerSec: (n / wallMs) * 1000,
        e2e: summarize(latencies),
        fake: summarize(fakeMs),
        gatewayCpuMsPerTurn: cpuMs / n,
      });
    }

    const open = [];
    for (const periodMs of openPeriodsMs) {
      log(`open loop: 200 sessions, one message each every ${periodMs} ms, for ${openSeconds} s`);
      const run = await openLoop(driver, {
        sessions: 200,
        periodMs,
        durationMs: openSeconds * 1_000,
        tag: `open${periodMs}`,
      });
      const e2e = summarize(run.latencies);
      const fakeMs = summarize(await fake.takeDurations());
      open.push({
        sessions: 200,
        periodMs,
        ratePerSec: (200 * 1_000) / periodMs,
        e2e,
        fake: fakeMs,
        overheadP50: e2e.median - fakeMs.median,
        overheadP99: e2e.p99 - fakeMs.median,
        unfinished: run.unfinished,
      });
    }

    await quiet(gw.pid);
    log(`leak check: ${leakTurns} turns over 50 sessions`);
    const rssBefore = await settledRss(gw.pid);
    const heapBefore = (await heapAfterGc(inspector)).heapUsed;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, treeRss(gw.pid).bytes);
    }, 250);
    const leak = await closedLoop(driver, { sessions: 50, turns: leakTurns, tag: "leak" });
    clearInterval(sampler);
    await fake.takeDurations();
    const rssAfter = await settledRss(gw.pid);
    const heapAfter = (await heapAfterGc(inspector)).heapUsed;

    return {
      connections,
      sessionTurns: SESSION_TURNS,
      closed,
      open,
      leak: {
        turns: leakTurns,
        rssBeforeBytes: rssBefore,
        rssAfterBytes: rssAfter,
        peakBytes: peak,
        heapBeforeBytes: heapBefore,
        heapAfterBytes: heapAfter,
        settleMs: SETTLE_MS,
        wallMs: leak.wallMs,
      },
      errors: driver.errors,
    };
  } finally {
    driver?.close();
    await gw?.stop();
    await fake.stop();
  }
}

export function formatTurns(r) {
  const lines = [`${r.connections} WS connections; a session key takes ${r.sessionTurns} turns, then a fresh one`];
  for (const c of r.closed) {
    lines.push(
      `closed loop, ${String(c.sessions).padStart(3)} sessions: ${round(c.turnsPerSec, 0)} turns/s, ` +
        `e2e p50 ${round(c.e2e.median, 2)} ms p99 ${round(c.e2e.p99, 2)} ms, fake p50 ${round(c.fake.median, 2)} ms ` +
        `p99 ${round(c.fake.p99, 2)} ms, gateway CPU ${round(c.gatewayCpuMsPerTurn, 2)} ms/turn`,
    );
  }
  for (const o of r.open) {
    lines.push(
      `open loop, 200 sessions × 1 per ${o.periodMs / 1000} s: e2e p50 ${round(o.e2e.median, 2)} ms p99 ${round(o.e2e.p99, 2)} ms, ` +
        `fake p50 ${round(o.fake.median, 2)} ms p99 ${round(o.fake.p99, 2)} ms → overhead p50 ${round(o.overheadP50, 2)} ms, ` +
        `p99 ${round(o.overheadP99, 2)} ms${o.unfinished ? `; ${o.unfinished} turns unanswered ${OPEN_LOOP_GRACE_MS / 1000} s after the last send` : ""}`,
    );
  }
  lines.push(
    `leak check: RSS ${mb(r.leak.rssBeforeBytes)} MB before, ${mb(r.leak.rssAfterBytes)} MB after ${r.leak.turns} turns ` +
      `(peak ${mb(r.leak.peakBytes)} MB); live heap after a full GC ${mb(r.leak.heapBeforeBytes)} MB before, ` +
      `${mb(r.leak.heapAfterBytes)} MB after`,
  );
  if (r.errors > 0) lines.push(`WARNING: ${r.errors} turns did not end in a final reply`);
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      turns: { type: "string", default: "2000" },
      "leak-turns": { type: "string", default: "10000" },
      "open-seconds": { type: "string", default: "10" },
      connections: { type: "string", default: "4" },
      json: { type: "boolean" },
    },
  });
  const int = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${values[name]}"`);
    return n;
  };
  const result = await runTurnsBench({
    turns: int("turns"),
    leakTurns: int("leak-turns"),
    openSeconds: int("open-seconds"),
    connections: int("connections"),
    log: (m) => process.stderr.write(`turns: ${m}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatTurns(result)}\n`);
}
