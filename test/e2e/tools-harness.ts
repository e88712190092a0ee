import type { AgentGateway } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

export interface ToolRunResult {
  isError: boolean;
  result: string;
  final: Any;
  runId: string;
}

let callSeq = 0;

/**
 * Has the fake model call one tool in `sessionKey`, then answer "done"; returns the tool's result as the
 * `agent` tool event carried it. `timeoutMs` bounds the whole turn.
 */
export async function runToolTurn(
  t: AgentGateway,
  sessionKey: string,
  name: string,
  args: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<ToolRunResult> {
  const id = `call_${++callSeq}`;
  t.fake.enqueue({ toolCalls: [{ id, name, args }] }, { text: "done" });
  const ack = await t.send(`please run ${name}`, { sessionKey });
  const final = await t.events.terminal(ack.runId, timeoutMs);
  const ev = t.events
    .agent(ack.runId)
    .find((e: Any) => e.stream === "tool" && e.data.phase === "result" && e.data.toolCallId === id);
  if (!ev) throw new Error(`no tool result for ${name} in run ${ack.runId}: ${JSON.stringify(final).slice(0, 500)}`);
  return { isError: ev.data.isError, result: String(ev.data.result), final, runId: ack.runId };
}

/** The tool names the model was offered in the last request. */
export function offeredTools(t: AgentGateway): string[] {
  const req = t.fake.requests.at(-1);
  return ((req?.body.tools ?? []) as Any[]).map((x) => x.function?.name ?? x.name);
}
