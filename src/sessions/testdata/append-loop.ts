/**
 * Child process for the SIGKILL test (store.crash.test.ts): appends to several sessions as fast as it
 * can, reporting progress on stdout, until it is killed. Not a test itself.
 * Usage: tsx append-loop.ts <agentsDir> <sessionCount>
 */
import { SessionStore } from "../store.js";

const [agentsDir, sessionCount] = process.argv.slice(2);
if (!agentsDir || !sessionCount) throw new Error("usage: append-loop.ts <agentsDir> <sessionCount>");
const sessions = Number(sessionCount);

// A short flush delay, so the kill also lands while the index is being rewritten.
const store = await SessionStore.open(agentsDir, "main", { flushDelayMs: 5 });
process.stdout.write(`pid ${process.pid}\n`);
for (let i = 0; ; i++) {
  const key = `agent:main:test:direct:peer${i % sessions}`;
  await store.append(key, {
    type: "message",
    // Varying sizes so some writes span several pages and a kill can land mid-line.
    message: { role: "user", content: `line ${i} ${"x".repeat((i * 7919) % 20_000)}`, timestamp: Date.now() },
  });
  if ((i + 1) % 100 === 0) process.stdout.write(`appended ${i + 1}\n`);
}
