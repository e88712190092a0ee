import type { Scope } from "./protocol/frames.js";

/**
 * What the hub needs of a connection: its scopes and a way to send one event with that connection's next seq.
 * `payloadJson` renders the broadcast's payload as JSON at most once per broadcast, shared by every sink that
 * sends the payload as is (a sink that sends its own view of it, such as a WebChat visitor's, ignores it).
 */
export interface EventSink {
  readonly scopes: ReadonlySet<Scope>;
  sendEvent(event: string, payload: unknown, payloadJson?: () => string | undefined): void;
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

/**
 * The text of `{ type: "event", event, payload, seq }` from the payload's JSON (undefined: no payload),
 * byte for byte what JSON.stringify of that object gives, so a payload serialised once serves every connection.
 */
export function eventFrameText(event: string, payloadJson: string | undefined, seq: number): string {
  const payload = payloadJson === undefined ? "" : `,"payload":${payloadJson}`;
  return `{"type":"event","event":${JSON.stringify(event)}${payload},"seq":${seq}}`;
}

/** Fan-out of gateway events to authenticated connections. A plain set: no buses of buses. */
export class EventHub {
  private readonly sinks = new Set<EventSink>();

  add(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  broadcast(event: string, payload: unknown): void {
    let rendered = false;
    let json: string | undefined;
    const payloadJson = () => {
      if (!rendered) {
        json = JSON.stringify(payload);
        rendered = true;
      }
      return json;
    };
    for (const sink of this.sinks) {
      if (canSee(sink.scopes, event)) sink.sendEvent(event, payload, payloadJson);
    }
  }

  get size(): number {
    return this.sinks.size;
  }
}
