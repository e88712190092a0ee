#!/usr/bin/env node
/**
 * A 10,000-turn session (a user message and an assistant reply per turn), written through the real
 * SessionStore; then, in fresh processes (modules loaded, the store not yet open), the time to open the
 * store and read the last 50 messages — what chat.history does when a client opens a long conversation.
 * Usage: node bench/transcript.mjs [--turns 10000] [--runs 10] [--json]
 *        node bench/transcript.mjs --measure <agentsDir> <sessionKey>   (one timed open; internal)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { assertBuilt, REPO_ROOT } from "./lib/pincer.mjs";
import { round, summarize } from "./lib/stats.mjs";

const AGENT_ID = "main";
const SESSION_KEY = "agent:main:bench-long";
const HISTORY_LIMIT = 50;

async function loadStore() {
  assertBuilt();
  const { SessionStore } = await import(pathToFileURL(join(REPO_ROOT, "dist/sessions/store.js")).href);
  return SessionStore;
}

/** Plausible sizes: a 100-character question, a 400-character answer with usage, like a chat turn. */
function turnMessages(i, now) {
  const user = {
    role: "user",
    content: `Question ${i}: ${"what about this part of the plan? ".repeat(3)}`,
    timestamp: now,
  };
  const assistant = {
    role: "assistant",
    content: [{ type: "text", text: `Answer ${i}: ${"here is a considered reply with some detail. ".repeat(9)}` }],
    stopReason: "stop",
    provider: "fake",
    model: "fake-model",
    usage: { input: 1200 + i, output: 90, cacheRead: 0, cacheWrite: 0, totalTokens: 1290 + i },
    timestamp: now + 1,
  };
  return [user, assistant];
}

export async function writeLongSession(agentsDir, turns) {
  const SessionStore = await loadStore();
  const store = await SessionStore.open(agentsDir, AGENT_ID);
  const now = Date.now() - turns * 1000;
  for (let i = 0; i < turns; i++) {
    for (const message of turnMessages(i, now + i * 1000))
      await store.append(SESSION_KEY, { type: "message", message });
  }
  const entry = store.get(SESSION_KEY);
  await store.close();
  return entry;
}

/** One timed open + history in this process (the --measure mode run by measureOpen). */
async function measureOnce(agentsDir, key) {
  const SessionStore = await loadStore();
  const t0 = performance.now();
  const store = await SessionStore.open(agentsDir, AGENT_ID);
  const t1 = performance.now();
  const history = await store.history(key, { limit: HISTORY_LIMIT });
  const t2 = performance.now();
  if (history.messages.length !== HISTORY_LIMIT) {
    throw new Error(`bench: history returned ${history.messages.length} messages, expected ${HISTORY_LIMIT}`);
  }
  await store.close();
  return { openMs: t1 - t0, historyMs: t2 - t1, totalMs: t2 - t0 };
}

function measureInChild(agentsDir) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [new URL(import.meta.url).pathname, "--measure", agentsDir, SESSION_KEY], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
    });
    proc.once("exit", (code) => {
      if (code !== 0) reject(new Error(`bench/transcript.mjs --measure exited with ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

export async function runTranscriptBench({ turns = 10_000, runs = 10, log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "pincer-bench-transcript-"));
  try {
    log(`writing ${turns} turns through SessionStore`);
    const t0 = performance.now();
    const entry = await writeLongSession(dir, turns);
    const writeMs = performance.now() - t0;
    const transcriptBytes = statSync(join(dir, AGENT_ID, "sessions", `${entry.sessionId}.jsonl`)).size;
    log(`open + history(last ${HISTORY_LIMIT}) × ${runs}, each in a fresh process`);
    await measureInChild(dir); // unmeasured: first reads from disk
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await measureInChild(dir));
    return {
      turns,
      lines: turns * 2,
      transcriptBytes,
      writeMs,
      open: summarize(samples.map((s) => s.openMs)),
      history: summarize(samples.map((s) => s.historyMs)),
      total: summarize(samples.map((s) => s.totalMs)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatTranscript(r) {
  return [
    `transcript: ${r.turns} turns (${r.lines} lines, ${round(r.transcriptBytes / 1048576, 1)} MB), written in ${round(r.writeMs / 1000, 1)} s`,
    `open + history(last ${HISTORY_LIMIT}): median ${round(r.total.median, 2)} ms, p90 ${round(r.total.p90, 2)} ms ` +
      `(open ${round(r.open.median, 2)} ms, history ${round(r.history.median, 2)} ms; n=${r.total.n})`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      measure: { type: "boolean" },
      turns: { type: "string", default: "10000" },
      runs: { type: "string", default: "10" },
      json: { type: "boolean" },
    },
  });
  if (values.measure) {
    const [agentsDir, key] = positionals;
    if (!agentsDir || !key) throw new Error("usage: node bench/transcript.mjs --measure <agentsDir> <sessionKey>");
    process.stdout.write(JSON.stringify(await measureOnce(agentsDir, key)));
  } else {
    const turns = Number(values.turns);
    const runs = Number(values.runs);
    if (!Number.isInteger(turns) || turns < HISTORY_LIMIT)
      throw new Error(`--turns must be an integer ≥ ${HISTORY_LIMIT}, got "${values.turns}"`);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got "${values.runs}"`);
    const result = await runTranscriptBench({ turns, runs, log: (m) => process.stderr.write(`transcript: ${m}\n`) });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatTranscript(result)}\n`);
  }
}
