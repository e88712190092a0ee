import { randomUUID } from "node:crypto";
import { PincerError } from "../errors.js";
import type { GatewayClient } from "../gateway/client.js";
import { type TargetFlags, withClient } from "./target.js";

/** One agent.wait call waits at most this long; the loop asks again until the run ends. */
const WAIT_SLICE_MS = 5 * 60_000;

interface ChatEvent {
  runId: string;
  state: "delta" | "final" | "aborted" | "error";
  deltaText?: string;
  message?: { content?: { type: string; text?: string }[] };
  errorMessage?: string;
  usage?: { totalTokens?: number; cost?: { total?: number } };
}

/**
 * `pincer agent --message`: one chat.send, the reply streamed to stdout from the run's `chat` events, exit
 * code 1 when the run ends in an error (with the gateway's actionable message on stderr).
 */
export async function runAgentMessage(
  flags: TargetFlags & { message: string; session: string; agent?: string; json?: boolean },
): Promise<void> {
  const runId = randomUUID();
  let finish!: (ev: ChatEvent) => void;
  const done = new Promise<ChatEvent>((resolve) => {
    finish = resolve;
  });
  let printed = false;
  await withClient(
    flags,
    async (client) => {
      const ack = await client.call<{ runId: string; status: string }>("chat.send", {
        sessionKey: flags.session,
        message: flags.message,
        idempotencyKey: runId,
        ...(flags.agent ? { agentId: flags.agent } : {}),
        originatingChannel: "cli",
      });
      if (ack.status !== "accepted" && ack.status !== "in_flight")
        throw new PincerError("CONFLICT", `run ${ack.runId} already ${ack.status}`);
      // Waiting on events alone would let the process exit 0 when the gateway dies mid-reply (nothing keeps
      // the event loop alive); a pending agent.wait rejects when the connection closes.
      const final = await Promise.race([done, watchRun(client, runId).then(() => done)]);
      if (final.state === "final" && !final.message && !flags.json) {
        // The message was answered inside another run's turn (queue mode collect): the reply is in history.
        final.message = await lastAssistantMessage(client, flags.session, flags.agent);
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
      } else if (final.state === "final") {
        const text = (final.message?.content ?? [])
          .filter((p) => p.type === "text")
          .map((p) => p.text ?? "")
          .join("");
        if (!printed) process.stdout.write(text);
        process.stdout.write("\n");
      } else if (printed) {
        process.stdout.write("\n");
      }
      if (final.state === "error") throw new PincerError("MODEL_ERROR", final.errorMessage ?? "the run failed");
      if (final.state === "aborted") throw new PincerError("ABORTED", "the run was aborted");
    },
    {
      onEvent: (event, payload) => {
        if (event !== "chat") return;
        const ev = payload as ChatEvent;
        if (ev.runId !== runId) return;
        if (ev.state === "delta" && !flags.json && ev.deltaText) {
          printed = true;
          process.stdout.write(ev.deltaText);
        }
        if (ev.state !== "delta") finish(ev);
      },
    },
  );
}

/** Resolves once the gateway says the run has ended; rejects when the connection is lost. */
async function watchRun(client: GatewayClient, runId: string): Promise<void> {
  for (;;) {
    const res = await client.call<{ status: string }>("agent.wait", { runId, timeoutMs: WAIT_SLICE_MS });
    if (res.status !== "timeout") return;
  }
}

async function lastAssistantMessage(
  client: GatewayClient,
  sessionKey: string,
  agentId: string | undefined,
): Promise<ChatEvent["message"]> {
  const history = await client.call<{ messages: { role: string; content?: unknown }[] }>("chat.history", {
    sessionKey,
    limit: 5,
    ...(agentId ? { agentId } : {}),
  });
  const last = history.messages.filter((m) => m.role === "assistant").at(-1);
  return Array.isArray(last?.content) ? { content: last.content as { type: string; text?: string }[] } : undefined;
}
