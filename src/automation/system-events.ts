/**
 * System events waiting for an agent's main session: wake texts from webhooks, cron jobs that target the main
 * session. They are handed to the next main-session system turn (a wake with mode "now", or the heartbeat) as
 * one message, so a burst of events costs one turn, not one each.
 */

/** Pending events per agent beyond this drop the oldest: a stuck main session must not grow without bound. */
const MAX_PENDING_PER_AGENT = 100;

export class SystemEvents {
  private readonly pending = new Map<string, string[]>();

  /** Queues `text`; "coalesced" when it equals the most recent pending event (a retried wake). */
  enqueue(agentId: string, text: string): "queued" | "coalesced" {
    const list = this.pending.get(agentId) ?? [];
    if (list[list.length - 1] === text) return "coalesced";
    list.push(text);
    if (list.length > MAX_PENDING_PER_AGENT) list.splice(0, list.length - MAX_PENDING_PER_AGENT);
    this.pending.set(agentId, list);
    return "queued";
  }

  /** Takes every pending event of the agent, oldest first. */
  drain(agentId: string): string[] {
    const list = this.pending.get(agentId) ?? [];
    this.pending.delete(agentId);
    return list;
  }

  /** The agent's pending events, oldest first, left in place (status reports them). */
  peek(agentId: string): readonly string[] {
    return [...(this.pending.get(agentId) ?? [])];
  }

  count(agentId: string): number {
    return this.pending.get(agentId)?.length ?? 0;
  }
}

/** The main-session message that delivers pending system events. */
export function systemEventsMessage(events: string[]): string {
  if (events.length === 1) return `System event:\n${events[0]}`;
  return `System events (oldest first):\n${events.map((e, i) => `${i + 1}. ${e}`).join("\n")}`;
}
