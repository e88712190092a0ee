#!/usr/bin/env node
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
/**
 * Pincer and a real OpenClaw side by side on this machine, alternating A/B (ABBA…) so drift in the machine's
 * load hits both alike. Per run and gateway: time to GET /health 200 and to the first `health` answered over
 * the WebSocket protocol (the point where `gateway call health` succeeds), RSS of all its processes
 * idleMs after serving, and the wall time of each CLI's `gateway call health --url … --json`.
 * Usage: node bench/vs-openclaw.mjs [--runs 5] [--idle-ms 10000] [--json]
 */
import { pathToFileURL } from "node:url";
import { parseRunsAndIdle } from "./lib/args.mjs";
import { openClawCallHealth, openClawPeerDir, startOpenClaw, waitUntilServing } from "./lib/openclaw.mjs";
import { makeStateDir, PINCER_BIN } from "./lib/pincer.mjs";
import { freePort, sleep, stopProcess, treeRss } from "./lib/proc.mjs";
import { mb, median, round } from "./lib/stats.mjs";

const CALLS_PER_RUN = 2;

/** Pincer started the way OpenClaw is: token auth on a fresh state dir, ready when health answers over WS. */
async function startPincerWithToken() {
  const stateDir = makeStateDir();
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  let output = "";
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    [PINCER_BIN, "gateway", "--port", String(port), "--auth", "token", "--token", token],
    {
      cwd: stateDir,
      env: { PATH: process.env.PATH, HOME: stateDir, PINCER_STATE_DIR: stateDir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const keep = (d) => {
    output = (output + d.toString()).slice(-16_384);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const url = `ws://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(proc);
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const times = await waitUntilServing({
      url,
      httpUrl: `http://127.0.0.1:${port}`,
      token,
      proc,
      t0,
      timeoutMs: 30_000,
      output: () => output,
    });
    return { ...times, pid: proc.pid, url, token, stateDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function pincerCallHealth(gw) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(
      process.execPath,
      [PINCER_BIN, "gateway", "call", "health", "--url", gw.url, "--token", gw.token, "--json"],
      { env: { PATH: process.env.PATH, HOME: gw.stateDir, PINCER_STATE_DIR: gw.stateDir }, stdio: "ignore" },
    );
    proc.once("error", reject);
    proc.once("exit", (code) => {
      if (code !== 0) reject(new Error(`pincer gateway call health exited with ${code}`));
      else resolve(performance.now() - t0);
    });
  });
}

async function oneRun(name, start, call, idleMs) {
  const gw = await start();
  try {
    const servedAt = performance.now();
    const calls = [];
    for (let i = 0; i < CALLS_PER_RUN; i++) calls.push(await call(gw));
    await sleep(Math.max(0, idleMs - (performance.now() - servedAt)));
    const rss = treeRss(gw.pid);
    return {
      name,
      httpHealthMs: gw.httpHealthMs,
      wsHealthMs: gw.wsHealthMs,
      rssBytes: rss.bytes,
      processes: rss.processes,
      calls,
    };
  } finally {
    await gw.stop();
  }
}

export async function runVsOpenClaw({ runs = 5, idleMs = 10_000, log = () => {} } = {}) {
  const peerDir = openClawPeerDir();
  const contenders = {
    pincer: () => oneRun("pincer", startPincerWithToken, pincerCallHealth, idleMs),
    openclaw: () =>
      oneRun(
        "openclaw",
        () => startOpenClaw(peerDir),
        (gw) => openClawCallHealth(peerDir, gw),
        idleMs,
      ),
  };
  // Unmeasured first starts: the first read of each install from disk is not what a restart costs.
  log("warm-up: one start of each");
  await contenders.pincer();
  await contenders.openclaw();
  const results = { pincer: [], openclaw: [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ["pincer", "openclaw"] : ["openclaw", "pincer"];
    for (const name of order) {
      log(`run ${i + 1}/${runs}: ${name}`);
      results[name].push(await contenders[name]());
    }
  }
  const summary = (list) => ({
    httpHealthMs: median(list.map((r) => r.httpHealthMs).filter((x) => x !== undefined)),
    wsHealthMs: median(list.map((r) => r.wsHealthMs)),
    rssBytes: median(list.map((r) => r.rssBytes)),
    processes: Math.max(...list.map((r) => r.processes)),
    callHealthMs: median(list.flatMap((r) => r.calls)),
  });
  return { runs, idleMs, pincer: summary(results.pincer), openclaw: summary(results.openclaw), raw: results };
}

export function formatVsOpenClaw(r) {
  const row = (label, p, o, fmt) =>
    `${label.padEnd(34)} ${fmt(p).padStart(10)} ${fmt(o).padStart(12)} ${`${round(o / p, 1)}×`.padStart(8)}`;
  const ms = (x) => `${round(x, 0)} ms`;
  const mbs = (x) => `${mb(x)} MB`;
  return [
    `${"".padEnd(34)} ${"Pincer".padStart(10)} ${"OpenClaw".padStart(12)} ${"ratio".padStart(8)}`,
    row("start → GET /health 200", r.pincer.httpHealthMs, r.openclaw.httpHealthMs, ms),
    row("start → health answered over WS", r.pincer.wsHealthMs, r.openclaw.wsHealthMs, ms),
    row(`RSS ${r.idleMs / 1000} s after serving (all processes)`, r.pincer.rssBytes, r.openclaw.rssBytes, mbs),
    row("`gateway call health` wall", r.pincer.callHealthMs, r.openclaw.callHealthMs, ms),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { runs, idleMs, json } = parseRunsAndIdle(5);
  const result = await runVsOpenClaw({ runs, idleMs, log: (m) => process.stderr.write(`vs-openclaw: ${m}\n`) });
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${formatVsOpenClaw(result)}\n`);
}
