/**
 * The V8 inspector of a gateway started with `--inspect=127.0.0.1:0`: forces a full garbage collection and
 * reads process.memoryUsage() inside it, so a leak check compares live heap rather than RSS, which V8 and
 * malloc return to the system only lazily.
 */
import { createRequire } from "node:module";

const WebSocket = createRequire(import.meta.url)("ws");

/** The inspector's WebSocket URL from the "Debugger listening on ws://…" line node prints on stderr. */
export function inspectorUrl(output) {
  return output.match(/Debugger listening on (ws:\/\/\S+)/)?.[1];
}

export async function heapAfterGc(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let nextId = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`inspector: ${msg.error.message}`));
    else p.resolve(msg.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send("HeapProfiler.collectGarbage");
    const { result } = await send("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    });
    return JSON.parse(result.value);
  } finally {
    ws.close();
  }
}
