#!/usr/bin/env node
/**
 * Channels through the real gateway (issue #4's benchmarks): grammY inside `pincer gateway` polling a fake
 * Telegram Bot API, the instant fake LLM answering. Timed on the platform's side, from an update being queued
 * for the bot to the bot's sendMessage for that chat arriving.
 *   - latency: one account, one message at a time (p50/p99);
 *   - throughput: a burst of messages through one account, and the same burst spread over 20 accounts;
 *   - RSS with Telegram, Discord, Slack and IRC (real ngircd when installed) configured and connected.
 * Usage: node bench/channels.mjs [--messages 300] [--burst 1000] [--json] [--write]
 * --write replaces the channels block of docs/benchmarks.md.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { fakeModelConfig, startTimedFakeLlm } from "./lib/fake-llm.mjs";
import { loadGatewayClient, REPO_ROOT, startPincer } from "./lib/pincer.mjs";
import { sleep, stopProcess, treeRss } from "./lib/proc.mjs";
import { mb, round, summarize } from "./lib/stats.mjs";

const ACCOUNTS = 20;
const SETTLE_MS = 10_000;
const DOC = join(REPO_ROOT, "docs/benchmarks.md");
const BLOCK = ["<!-- bench:channels:start -->", "<!-- bench:channels:end -->"];

async function startPlatforms() {
  const proc = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bench/fake-platforms-timed.ts")], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  await new Promise((resolve, reject) => {
    proc.once("message", resolve);
    proc.once("exit", (code) => reject(new Error(`bench/fake-platforms-timed.ts exited with ${code}`)));
  });
  const ask = (message, reply) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m?.type === "error") {
          proc.off("message", onMessage);
          reject(new Error(`fake platforms: ${m.message}`));
        } else if (m?.type === reply) {
          proc.off("message", onMessage);
          resolve(m);
        }
      };
      proc.on("message", onMessage);
      proc.send(message);
    });
  return {
    ask,
    async stop() {
      if (proc.connected) proc.disconnect();
      await stopProcess(proc);
    },
  };
}

/** Polls channels.status until every listed account of `channel` is connected. */
async function waitConnected(url, channel, count, timeoutMs = 60_000) {
  const GatewayClient = await loadGatewayClient();
  const client = await GatewayClient.connect({ url, clientId: "bench-channels", mode: "backend" });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await client.call("channels.status", { channel });
      const accounts = status.channelAccounts?.[channel] ?? [];
      if (accounts.filter((a) => a.connected).length >= count) return;
      if (Date.now() > deadline)
        throw new Error(`bench: ${channel} accounts not connected: ${JSON.stringify(accounts)}`);
      await sleep(100);
    }
  } finally {
    client.close();
  }
}

/** nodeArgs go to the Telegram gateway's node (e.g. --cpu-prof to profile the channel path). */
export async function runChannelsBench({ messages = 300, burst = 1_000, nodeArgs = [], log = () => {} } = {}) {
  const fake = await startTimedFakeLlm();
  const platforms = await startPlatforms();
  let gw;
  try {
    const { apiRoot, tokens } = await platforms.ask({ type: "telegram", bots: ACCOUNTS }, "telegram");
    const accounts = Object.fromEntries(tokens.map((botToken, i) => [`a${i}`, { botToken }]));
    gw = await startPincer({
      config: {
        ...fakeModelConfig(fake),
        channels: { telegram: { apiRoot, dmPolicy: "open", pollTimeoutSeconds: 30, accounts } },
      },
      nodeArgs,
    });
    await waitConnected(gw.url, "telegram", ACCOUNTS);
    log("warm-up: 50 messages");
    await platforms.ask({ type: "sequential", tokens: [tokens[0]], messages: 50 }, "latencies");

    log(`latency: ${messages} messages, one at a time, one account`);
    const sequential = await platforms.ask({ type: "sequential", tokens: [tokens[0]], messages }, "latencies");
    log(`throughput: ${burst} messages at once through one account`);
    const one = await platforms.ask({ type: "burst", tokens: [tokens[0]], messages: burst }, "burst");
    log(`throughput: ${burst} messages at once over ${ACCOUNTS} accounts`);
    const many = await platforms.ask({ type: "burst", tokens, messages: burst }, "burst");
    await gw.stop();
    gw = undefined;

    log("RSS with four channels configured");
    const { channels } = await platforms.ask({ type: "four" }, "four");
    gw = await startPincer({ config: { ...fakeModelConfig(fake), channels } });
    for (const channel of Object.keys(channels)) await waitConnected(gw.url, channel, 1);
    await sleep(SETTLE_MS);
    const rss = treeRss(gw.pid).bytes;
    return {
      messages,
      burst,
      accounts: ACCOUNTS,
      latency: summarize(sequential.ms),
      oneAccount: { perSec: (burst / one.wallMs) * 1000, latency: summarize(one.latencies) },
      manyAccounts: { perSec: (burst / many.wallMs) * 1000, latency: summarize(many.latencies) },
      fourChannels: { channels: Object.keys(channels), rssBytes: rss, settleMs: SETTLE_MS },
    };
  } finally {
    await gw?.stop();
    await platforms.stop();
    await fake.stop();
  }
}

export function formatChannels(r) {
  return [
    "| figure | measured |",
    "|---|---|",
    `| inbound → reply latency, one Telegram account, one message at a time (n=${r.messages}) | p50 ${round(r.latency.median, 1)} ms, p99 ${round(r.latency.p99, 1)} ms |`,
    `| ${r.burst} messages at once through one account | ${round(r.oneAccount.perSec, 0)} msg/s (latency p50 ${round(r.oneAccount.latency.median, 0)} ms, p99 ${round(r.oneAccount.latency.p99, 0)} ms) |`,
    `| ${r.burst} messages at once over ${r.accounts} accounts | ${round(r.manyAccounts.perSec, 0)} msg/s (latency p50 ${round(r.manyAccounts.latency.median, 0)} ms, p99 ${round(r.manyAccounts.latency.p99, 0)} ms) |`,
    `| RSS, ${r.fourChannels.channels.join(" + ")} configured and connected, ${r.fourChannels.settleMs / 1000} s idle | ${mb(r.fourChannels.rssBytes)} MB |`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      messages: { type: "string" },
      burst: { type: "string" },
      json: { type: "boolean" },
      write: { type: "boolean" },
    },
  });
  const result = await runChannelsBench({
    ...(values.messages ? { messages: Number(values.messages) } : {}),
    ...(values.burst ? { burst: Number(values.burst) } : {}),
    log: (m) => process.stderr.write(`bench: ${m}\n`),
  });
  const table = formatChannels(result);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${table}\n`);
  if (values.write) {
    const { machine } = await import("./lib/machine.mjs");
    const doc = readFileSync(DOC, "utf8");
    const i = doc.indexOf(BLOCK[0]);
    const j = doc.indexOf(BLOCK[1]);
    if (i < 0 || j < i) throw new Error(`bench: ${DOC} has no ${BLOCK[0]} … ${BLOCK[1]} block`);
    const m = machine();
    const block = [BLOCK[0], `Measured ${m.date} on ${m.cpu}, ${m.cores} cores, Node ${m.node}.`, "", table, BLOCK[1]];
    writeFileSync(DOC, doc.slice(0, i) + block.join("\n") + doc.slice(j + BLOCK[1].length));
  }
}
