import { fakeModelConfig, startTimedFakeLlm } from "./lib/fake-llm.mjs";
import { loadGatewayClient, startPincer } from "./lib/pincer.mjs";
import { treeRss } from "./lib/proc.mjs";
import { randomUUID } from "node:crypto";
const fake = await startTimedFakeLlm();
const gw = await startPincer({ config: fakeModelConfig(fake), nodeArgs: (process.env.PROF_OPTS ?? "").split(" ").filter(Boolean) });
const G = await loadGatewayClient();
const waiters = new Map();
const c = await G.connect({ url: gw.url, onEvent: (e, p) => { if (e === "chat" && p.state !== "delta") { waiters.get(p.runId)?.(p); waiters.delete(p.runId); } } });
const turn = async (k) => { const id = randomUUID(); const done = new Promise((r) => waiters.set(id, r)); await c.call("chat.send", { sessionKey: k, message: "hi", idempotencyKey: id }); return done; };
let n = 0; const N = Number(process.env.N ?? 600);
const t0 = performance.now();
await Promise.all(Array.from({ length: 10 }, async (_, w) => { while (n < N) { const i = n++; await turn(`s-${w}-${Math.floor(i / 200)}`); } }));
const st = (await import("node:fs")).readFileSync(`/proc/${gw.pid}/status`, "utf8"); console.log(st.split("\n").filter(l => /Rss|VmRSS|VmHWM/.test(l)).join(" ")); console.log(gw.output().split("\n").filter(l => /Mark-Compact/.test(l)).slice(-6).join("\n"));
console.log("turns/s", (N / (performance.now() - t0) * 1000).toFixed(0), "rss", (treeRss(gw.pid).bytes / 1048576).toFixed(1));
if (process.env.SNAP) { const { readdirSync } = await import("node:fs"); process.kill(gw.pid, "SIGUSR2"); await new Promise(r => setTimeout(r, 8000)); console.log("snap in", gw.stateDir, readdirSync(gw.stateDir)); const fs = await import("node:fs"); for (const f of readdirSync(gw.stateDir)) if (f.endsWith(".heapsnapshot")) fs.copyFileSync(gw.stateDir + "/" + f, "/tmp/gw.heapsnapshot"); }
c.close(); await gw.stop(); await fake.stop();
