import { z } from "zod";
import { PincerError } from "../errors.js";
import { describeExit } from "../sandbox/run-process.js";
import type { ManagedProcess, ProcessRegistry } from "./process-registry.js";
import { type AgentTool, defineTool, textResult } from "./tool.js";

/** Longest a single poll waits for new output or the end. */
const MAX_POLL_WAIT_MS = 60_000;

const ProcessArgs = z.object({
  action: z.enum(["list", "poll", "log", "kill"]),
  sessionId: z.string().optional().describe("The id exec returned (proc_…); needed for poll, log and kill."),
  timeoutMs: z
    .number()
    .int()
    .min(0)
    .max(MAX_POLL_WAIT_MS)
    .optional()
    .describe("poll: wait up to this long for new output or the end."),
});

export function processTool(env: { agentId: string; registry: ProcessRegistry; cleanupMs: number }): AgentTool {
  return defineTool({
    name: "process",
    description:
      "Manage commands exec moved to the background: list them, poll for new output and status, read the whole log, or kill one.",
    parameters: ProcessArgs,
    async execute(_id, args, ctx) {
      if (args.action === "list") {
        const all = env.registry.list(env.agentId, env.cleanupMs);
        if (all.length === 0) return textResult("No background processes.");
        return textResult(all.map((p) => `${p.id}  ${status(p)}  ${p.command}`).join("\n"));
      }
      if (!args.sessionId) throw new PincerError("INVALID_REQUEST", `process ${args.action} needs sessionId`);
      const p = env.registry.get(env.agentId, args.sessionId);
      if (!p) {
        throw new PincerError(
          "NOT_FOUND",
          `no background process "${args.sessionId}" for this agent; process list shows the current ones`,
        );
      }
      switch (args.action) {
        case "kill": {
          p.proc.kill("abort");
          await p.proc.done;
          return textResult(`${p.id} stopped (${status(p)}).`);
        }
        case "log":
          return textResult(`${p.id} ${status(p)}\n${p.proc.output.text()}`);
        case "poll": {
          const wait = args.timeoutMs ?? 0;
          if (wait > 0 && p.proc.running && p.proc.output.totalChars === p.readOffset) {
            await Promise.race([
              p.proc.done,
              new Promise((r) => setTimeout(r, wait)),
              new Promise((r) => ctx.signal.addEventListener("abort", r, { once: true })),
            ]);
          }
          const { text, next } = p.proc.output.since(p.readOffset);
          p.readOffset = next;
          return textResult(`${p.id} ${status(p)}\n${text.length > 0 ? text : "(no new output)"}`);
        }
      }
    },
  });
}

function status(p: ManagedProcess): string {
  const exit = p.proc.exit;
  if (!exit) return `running for ${Math.round((Date.now() - p.proc.startedAt) / 1000)} s`;
  return `finished: ${describeExit(exit, p.timeoutMs)}`;
}
