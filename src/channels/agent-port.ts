/**
 * What channels need of the agent runtime: accept a message, and follow its run to an outcome. Channels do not
 * import the agent (DESIGN §1); the runtime satisfies this shape structurally.
 */
export interface AgentSendRequest {
  sessionKey: string;
  message: string;
  idempotencyKey: string;
  agentId?: string;
  channel?: string;
  queueMode?: "followup";
  /** Recorded on the session as its last conversation (for "last" deliveries). */
  origin?: { channel: string; to: string; accountId?: string; threadId?: string };
}

export interface AgentRunHandle {
  runId: string;
  status: string;
}

export interface AgentRunOutcome {
  status: "ok" | "error" | "aborted";
  text: string;
  error?: { kind: string; message: string };
}

export interface AgentPort {
  send(params: AgentSendRequest): { runId: string; status: string; sessionKey: string; cached?: boolean };
  runs: {
    get(runId: string): AgentRunHandle | undefined;
    wait(run: AgentRunHandle, timeoutMs: number): Promise<AgentRunOutcome | undefined>;
  };
}
