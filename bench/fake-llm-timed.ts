/**
 * The fake LLM (test/fixtures/fake-llm) in its own process, timing every request from its own side: from the
 * request's headers arriving to the response's last byte handed to the socket (node:http diagnostics
 * channels). bench/turns.mjs subtracts this from the end-to-end latency to get the gateway's own share.
 * Run under tsx with an IPC channel: node --import tsx bench/fake-llm-timed.ts
 * Messages in: {type:"stats"} → {type:"stats", durationsMs:number[]} (the durations since the last "stats").
 * Message out first: {type:"ready", url}.
 */
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import { startFakeLlm } from "../test/fixtures/fake-llm/index.js";

if (!process.send) {
  process.stderr.write("fake-llm-timed: run me with an IPC channel (spawn with stdio 'ipc'), from bench/turns.mjs\n");
  process.exit(2);
}

const started = new WeakMap<ServerResponse, number>();
let durationsMs: number[] = [];

subscribe("http.server.request.start", (message) => {
  const { response } = message as { request: IncomingMessage; response: ServerResponse };
  started.set(response, performance.now());
});
subscribe("http.server.response.finish", (message) => {
  const { response } = message as { request: IncomingMessage; response: ServerResponse };
  const t0 = started.get(response);
  if (t0 !== undefined) durationsMs.push(performance.now() - t0);
});

const fake = await startFakeLlm({ instant: true });
// Recorded requests are only for tests' assertions; a benchmark of 10,000 turns would grow them without end.
const TRIM_INTERVAL_MS = 1_000;
setInterval(() => fake.requests.splice(0), TRIM_INTERVAL_MS).unref();

process.on("message", (message: unknown) => {
  if (typeof message === "object" && message !== null && (message as { type?: unknown }).type === "stats") {
    process.send?.({ type: "stats", durationsMs });
    durationsMs = [];
  }
});
process.on("disconnect", () => {
  void fake.close().finally(() => process.exit(0));
});
process.send({ type: "ready", url: fake.url, openaiBaseUrl: fake.openaiBaseUrl });
