import type { Scope } from "./protocol/frames.js";

/** What the hub needs of a connection: its scopes and a way to send one event with that connection's next seq. */
export interface EventSink {
  readonly scopes: ReadonlySet<Scope>;
  sendEvent(event: string, payload: unknown): void;
}

/** Events a connection needs a scope to see; everything else goes to every authenticated connection. */
const EVENT_SCOPES: Record<string, Scope> = {
  "exec.approval.requested": "operator.approvals",
  "exec.approval.resolved": "operator.approvals",
  "device.pair.requested": "operator.pairing",
  "device.pair.resolved": "operator.pairing",
};

export function canSee(scopes: ReadonlySet<Scope>, event: string): boolean {
  const needed = EVENT_SCOPES[event];
  if (!needed) return true;
  return scopes.has(needed) || scopes.has("operator.admin");
}

/** Fan-out of gateway events to authenticated connections. A plain set: no buses of buses. */
export class EventHub {
  private readonly sinks = new Set<EventSink>();

  add(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  broadcast(event: string, payload: unknown): void {
    for (const sink of this.sinks) {
      if (canSee(sink.scopes, event)) sink.sendEvent(event, payload);
    }
  }

  get size(): number {
    return this.sinks.size;
  }
}
