#!/usr/bin/env node
/**
 * Where the gateway's CPU goes per turn: the turns benchmark's closed loop against a gateway started with
 * `node --cpu-prof`, then the profile's top functions and packages, divided by the number of turns.
 * The profile (open it in Chrome DevTools → Performance) is kept in --dir.
 * Usage: node bench/profile-turns.mjs [--sessions 50] [--turns 2000] [--dir /tmp/pincer-prof] [--top 40]
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { summarizeCpuProfile } from "./lib/cpu-profile.mjs";
import { fakeModelConfig, startTimedFakeLlm } from "./lib/fake-llm.mjs";
import { loadGatewayClient, startPincer } from "./lib/pincer.mjs";
import { cpuTimeMs } from "./lib/proc.mjs";
import { closedLoop, Driver } from "./turns.mjs";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "50" },
    turns: { type: "string", default: "2000" },
    connections: { type: "string", default: "4" },
    dir: { type: "string", default: "/tmp/pincer-prof" },
    top: { type: "string", default: "40" },
  },
});
const sessions = Number(values.sessions);
const turns = Number(values.turns);
const top = Number(values.top);
const dir = join(values.dir, String(Date.now()));
mkdirSync(dir, { recursive: true });

const fake = await startTimedFakeLlm();
const gw = await startPincer({ config: fakeModelConfig(fake), nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
const driver = new Driver();
let cpuMs;
try {
  await driver.connect(await loadGatewayClient(), gw.url, Number(values.connections));
  await closedLoop(driver, { sessions: 10, turns: 200, tag: "warmup" });
  const cpu0 = cpuTimeMs(gw.pid);
  const { wallMs } = await closedLoop(driver, { sessions, turns, tag: "prof" });
  cpuMs = cpuTimeMs(gw.pid) - cpu0;
  process.stdout.write(
    `${turns} turns, ${sessions} sessions: ${Math.round((turns / wallMs) * 1000)} turns/s, ` +
      `gateway CPU ${(cpuMs / turns).toFixed(2)} ms/turn${driver.errors ? `, ${driver.errors} failed turns` : ""}\n`,
  );
} finally {
  driver.close();
  await gw.stop();
  await fake.stop();
}

const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}: the gateway did not exit cleanly`);
const summary = summarizeCpuProfile(join(dir, files[0]));
const perTurn = (ms) => `${((ms / (turns + 200)) * 1000).toFixed(0).padStart(6)} µs/turn`;
const print = (title, rows) => {
  process.stdout.write(`\n${title} (whole run incl. start-up and warm-up, ${turns + 200} turns)\n`);
  for (const r of rows) process.stdout.write(`${perTurn(r.ms)}  ${r.name}\n`);
};
print("packages and files, inclusive", summary.topOwners(top));
print("functions, self", summary.topSelf(top));
print("functions, inclusive", summary.topInclusive(top));
process.stdout.write(`\nprofile: ${join(dir, files[0])}\n`);
