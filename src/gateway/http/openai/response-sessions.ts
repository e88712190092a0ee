/**
 * Which session each `/v1/responses` answer ran in, so `previous_response_id` continues it. Kept in memory:
 * the session itself (its transcript) is durable; only the id → session link is lost on restart, and a client
 * holding a forgotten id gets a clear `previous_response_not_found`.
 */
export interface ResponseSession {
  sessionKey: string;
  agentId: string;
}

/** Links remembered, oldest forgotten first; far more than one gateway's clients keep alive at once. */
const MAX_LINKS = 10_000;

export class ResponseSessions {
  private readonly links = new Map<string, ResponseSession>();

  remember(responseId: string, session: ResponseSession): void {
    if (this.links.size >= MAX_LINKS) {
      const oldest = this.links.keys().next().value;
      if (oldest !== undefined) this.links.delete(oldest);
    }
    this.links.set(responseId, session);
  }

  get(responseId: string): ResponseSession | undefined {
    return this.links.get(responseId);
  }
}
