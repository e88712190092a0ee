#!/usr/bin/env node
/**
 * `npm run bench`: runs the start-up, turn and transcript benchmarks and rewrites the results block of
 * docs/benchmarks.md (machine, date, each figure against its DESIGN §6 budget).
 * `npm run bench -- --vs-openclaw` also measures a real OpenClaw side by side and rewrites that block too.
 * `--no-write` prints without touching the doc.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machine } from "./lib/machine.mjs";
import { REPO_ROOT } from "./lib/pincer.mjs";
import { mb, round } from "./lib/stats.mjs";
import { formatStartup, runStartupBench } from "./startup.mjs";
import { formatTranscript, runTranscriptBench } from "./transcript.mjs";
import { formatTurns, runTurnsBench } from "./turns.mjs";
import { formatVsOpenClaw, runVsOpenClaw } from "./vs-openclaw.mjs";

const DOC = join(REPO_ROOT, "docs/benchmarks.md");
const RESULTS = ["<!-- bench:results:start -->", "<!-- bench:results:end -->"];
const OPENCLAW = ["<!-- bench:openclaw:start -->", "<!-- bench:openclaw:end -->"];

function machineLine(m) {
  return (
    `Measured ${m.date} on ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, Node ${m.node}, ${m.platform} ` +
    `(load average ${m.load.join(" / ")} at the start).`
  );
}

const check = (value, budget) => (value <= budget ? "✅" : "❌");

function resultsBlock(m, s, t, tr) {
  const budgetOpen = t.open.find((o) => o.periodMs === 1_000) ?? t.open[0];
  const rows = [
    [
      "cold start to /readyz (no channels)",
      `${round(s.coldStart.median, 0)} ms median, ${round(s.coldStart.p90, 0)} ms p90 (n=${s.coldStart.n})`,
      "≤ 300 ms",
      check(s.coldStart.median, 300),
    ],
    [
      `idle RSS, gateway with one WebChat client, ${s.idleMs / 1000} s after ready`,
      `${mb(s.idleWebchat.idleBytes)} MB`,
      "≤ 80 MB",
      check(s.idleWebchat.idleBytes / 1048576, 80),
    ],
    [`idle RSS, no client, ${s.idleMs / 1000} s after ready`, `${mb(s.idleBare.idleBytes)} MB`, "", ""],
    [
      "gateway overhead per message, 200 sessions × 1 msg/s, p99 (e2e p99 − fake p50)",
      `${round(budgetOpen.overheadP99, 1)} ms (p50 ${round(budgetOpen.overheadP50, 1)} ms)`,
      "≤ 5 ms",
      check(budgetOpen.overheadP99, 5),
    ],
    [
      "`pincer gateway call health` wall (gateway from config)",
      `${round(s.callHealth.fromConfig.median, 0)} ms median (n=${s.callHealth.fromConfig.n})`,
      "≤ 250 ms",
      check(s.callHealth.fromConfig.median, 250),
    ],
    ["`pincer gateway call health --url …` wall", `${round(s.callHealth.withUrl.median, 0)} ms median`, "", ""],
    ["`pincer --help` wall", `${round(s.help.median, 0)} ms median`, "", ""],
    [
      `transcript of ${tr.turns.toLocaleString("en")} turns: open + last 50`,
      `${round(tr.total.median, 1)} ms median (open ${round(tr.open.median, 1)}, history ${round(tr.history.median, 1)})`,
      "≤ 50 ms",
      check(tr.total.median, 50),
    ],
  ];
  const turnRows = t.closed.map(
    (c) =>
      `| ${c.sessions} | ${round(c.turnsPerSec, 0)} | ${round(c.e2e.median, 1)} / ${round(c.e2e.p99, 1)} | ${round(c.fake.median, 2)} / ${round(c.fake.p99, 2)} | ${round(c.gatewayCpuMsPerTurn, 2)} |`,
  );
  return [
    RESULTS[0],
    machineLine(m),
    "",
    "| figure | measured | budget | |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
    "",
    `Turns, closed loop (each session sends its next message when the last reply is final; ${t.connections} WebSocket connections):`,
    "",
    "| sessions | turns/s | end-to-end p50 / p99 ms | fake model p50 / p99 ms | gateway CPU ms per turn |",
    "|---|---|---|---|---|",
    ...turnRows,
    "",
    "Open loop, 200 sessions each sending on a fixed period whatever the replies' pace:",
    "",
    "| period per session | offered msg/s | end-to-end p50 / p99 ms | fake model p50 / p99 ms | overhead p50 / p99 ms |",
    "|---|---|---|---|---|",
    ...t.open.map(
      (o) =>
        `| ${o.periodMs / 1000} s | ${o.ratePerSec} | ${round(o.e2e.median, 1)} / ${round(o.e2e.p99, 1)}${o.unfinished ? ` (${o.unfinished} unanswered 60 s after the last send)` : ""} | ${round(o.fake.median, 2)} / ${round(o.fake.p99, 2)} | ${round(o.overheadP50, 1)} / ${round(o.overheadP99, 1)} |`,
    ),
    "",
    `Leak check: gateway RSS ${mb(t.leak.rssBeforeBytes)} MB before and ${mb(t.leak.rssAfterBytes)} MB after ` +
      `${t.leak.turns.toLocaleString("en")} more turns (each after ${t.leak.settleMs / 1000} s idle); peak during the run ${mb(t.leak.peakBytes)} MB. ` +
      `Live JS heap after a forced full GC: ${mb(t.leak.heapBeforeBytes)} MB before, ${mb(t.leak.heapAfterBytes)} MB after.`,
    ...(t.errors > 0 ? ["", `⚠️ ${t.errors} turns did not end with a final reply.`] : []),
    RESULTS[1],
  ].join("\n");
}

function openClawBlock(m, r) {
  return [
    OPENCLAW[0],
    machineLine(m),
    `Medians of ${r.runs} alternating runs each; RSS is the sum over each gateway's processes ${r.idleMs / 1000} s after it served.`,
    "",
    "| figure | Pincer | OpenClaw | OpenClaw ÷ Pincer |",
    "|---|---|---|---|",
    `| start → GET /health 200 | ${round(r.pincer.httpHealthMs, 0)} ms | ${round(r.openclaw.httpHealthMs, 0)} ms | ${round(r.openclaw.httpHealthMs / r.pincer.httpHealthMs, 1)}× |`,
    `| start → health answered over the WebSocket | ${round(r.pincer.wsHealthMs, 0)} ms | ${round(r.openclaw.wsHealthMs, 0)} ms | ${round(r.openclaw.wsHealthMs / r.pincer.wsHealthMs, 1)}× |`,
    `| RSS, all processes | ${mb(r.pincer.rssBytes)} MB (${r.pincer.processes} process) | ${mb(r.openclaw.rssBytes)} MB (${r.openclaw.processes} processes) | ${round(r.openclaw.rssBytes / r.pincer.rssBytes, 1)}× |`,
    `| \`gateway call health --url … --token … --json\` wall | ${round(r.pincer.callHealthMs, 0)} ms | ${round(r.openclaw.callHealthMs, 0)} ms | ${round(r.openclaw.callHealthMs / r.pincer.callHealthMs, 1)}× |`,
    OPENCLAW[1],
  ].join("\n");
}

function replaceBlock(doc, [start, end], block) {
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`bench: ${DOC} has no ${start} … ${end} block to rewrite`);
  return doc.slice(0, i) + block + doc.slice(j + end.length);
}

const { values } = parseArgs({ options: { "vs-openclaw": { type: "boolean" }, "no-write": { type: "boolean" } } });
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const m = machine();
const startup = await runStartupBench({ log });
process.stdout.write(`${formatStartup(startup)}\n\n`);
const turns = await runTurnsBench({ log });
process.stdout.write(`${formatTurns(turns)}\n\n`);
const transcript = await runTranscriptBench({ log });
process.stdout.write(`${formatTranscript(transcript)}\n\n`);
let vs;
if (values["vs-openclaw"]) {
  vs = await runVsOpenClaw({ log });
  process.stdout.write(`${formatVsOpenClaw(vs)}\n`);
}
if (!values["no-write"]) {
  let doc = readFileSync(DOC, "utf8");
  doc = replaceBlock(doc, RESULTS, resultsBlock(m, startup, turns, transcript));
  if (vs) doc = replaceBlock(doc, OPENCLAW, openClawBlock(m, vs));
  writeFileSync(DOC, doc);
  log(`results written to ${DOC}`);
  if (vs)
    await import("./plot.mjs").then(({ readRatios, ratioChart }) => {
      const svg = ratioChart(
        readRatios(doc),
        "How many times lighter/faster Pincer is than OpenClaw (OpenClaw ÷ Pincer)",
      );
      writeFileSync(DOC.replace(/benchmarks\.md$/, "benchmarks-vs-openclaw.svg"), svg);
    });
}
