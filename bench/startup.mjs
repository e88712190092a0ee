#!/usr/bin/env node
/**
 * Start-up figures of the built gateway and CLI:
 *   - cold start: spawn `pincer gateway` on a fresh state dir (no channels) until /readyz answers 200;
 *   - idle RSS: the gateway's process tree 10 s after ready, with no client and with one WebChat-like client
 *     (connected, history loaded) — DESIGN §6 budgets the latter;
 *   - `pincer gateway call health` wall time, against a running gateway found through its config;
 *   - `pincer --help` wall time.
 * Usage: node bench/startup.mjs [--runs 10] [--idle-ms 10000] [--json]
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseRunsAndIdle } from "./lib/args.mjs";
import { loadGatewayClient, makeStateDir, runPincerCli, startPincer } from "./lib/pincer.mjs";
import { sleep, treeRss } from "./lib/proc.mjs";
import { mb, round, summarize } from "./lib/stats.mjs";

export async function measureColdStart(runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const gw = await startPincer();
    samples.push(gw.readyMs);
    await gw.stop();
  }
  return summarize(samples);
}

/** RSS of the gateway's process tree idleMs after ready; `webchat` keeps one operator client connected. */
export async function measureIdleRss(idleMs, { webchat }) {
  const gw = await startPincer();
  let client;
  try {
    const atReady = treeRss(gw.pid).bytes;
    if (webchat) {
      const GatewayClient = await loadGatewayClient();
      client = await GatewayClient.connect({ url: gw.url, clientId: "webchat", mode: "webchat" });
      // What WebChat does on open: load the main session's history.
      await client.call("chat.history", { sessionKey: "main" });
    }
    await sleep(idleMs);
    const idle = treeRss(gw.pid);
    return { atReadyBytes: atReady, idleBytes: idle.bytes, processes: idle.processes };
  } finally {
    client?.close();
    await gw.stop();
  }
}

/** Wall time of `pincer gateway call health` resolving the gateway from its config (what a user types). */
export async function measureCallHealth(runs) {
  const stateDir = makeStateDir();
  const gw = await startPincer({ stateDir });
  try {
    // The CLI finds the gateway through the same config; written after start so the port is known.
    writeFileSync(join(stateDir, "pincer.json"), JSON.stringify({ gateway: { port: gw.port } }));
    const env = { PINCER_STATE_DIR: stateDir };
    await runPincerCli(["gateway", "call", "health", "--json"], { env }); // warms the page cache
    const fromConfig = [];
    const withUrl = [];
    for (let i = 0; i < runs; i++) {
      fromConfig.push((await runPincerCli(["gateway", "call", "health", "--json"], { env })).wallMs);
      withUrl.push((await runPincerCli(["gateway", "call", "health", "--url", gw.url, "--json"], { env })).wallMs);
    }
    return { fromConfig: summarize(fromConfig), withUrl: summarize(withUrl) };
  } finally {
    await gw.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export async function measureHelp(runs) {
  const samples = [];
  await runPincerCli(["--help"]);
  for (let i = 0; i < runs; i++) samples.push((await runPincerCli(["--help"])).wallMs);
  return summarize(samples);
}

export async function runStartupBench({ runs = 10, idleMs = 10_000, log = () => {} } = {}) {
  // One unmeasured start: the first read of dist and node_modules from disk is not what a user restarting sees.
  await (await startPincer()).stop();
  log(`cold start × ${runs}`);
  const coldStart = await measureColdStart(runs);
  log(`idle RSS after ${idleMs} ms (no client and one WebChat client, side by side)`);
  const [idleBare, idleWebchat] = await Promise.all([
    measureIdleRss(idleMs, { webchat: false }),
    measureIdleRss(idleMs, { webchat: true }),
  ]);
  log(`gateway call health × ${runs}`);
  const callHealth = await measureCallHealth(runs);
  log(`--help × ${runs}`);
  const help = await measureHelp(runs);
  return { coldStart, idleBare, idleWebchat, callHealth, help, idleMs };
}

export function formatStartup(r) {
  const ms = (s) => `median ${round(s.median)} ms, p90 ${round(s.p90)} ms (n=${s.n}, min ${round(s.min)})`;
  return [
    `cold start to /readyz:              ${ms(r.coldStart)}`,
    `idle RSS after ${r.idleMs / 1000} s, no client:     ${mb(r.idleBare.idleBytes)} MB (at ready ${mb(r.idleBare.atReadyBytes)} MB, ${r.idleBare.processes} process)`,
    `idle RSS after ${r.idleMs / 1000} s, WebChat client: ${mb(r.idleWebchat.idleBytes)} MB (at ready ${mb(r.idleWebchat.atReadyBytes)} MB, ${r.idleWebchat.processes} process)`,
    `pincer gateway call health:         ${ms(r.callHealth.fromConfig)}`,
    `  … with --url:                     ${ms(r.callHealth.withUrl)}`,
    `pincer --help:                      ${ms(r.help)}`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { runs, idleMs, json } = parseRunsAndIdle(10);
  const result = await runStartupBench({ runs, idleMs, log: (m) => process.stderr.write(`startup: ${m}\n`) });
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${formatStartup(result)}\n`);
}
