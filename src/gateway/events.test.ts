import { describe, expect, it } from "vitest";
import { EventHub, type EventSink, eventFrameText } from "./events.js";
import type { Scope } from "./protocol/frames.js";

function sink(scopes: Scope[] = []) {
  const frames: string[] = [];
  let seq = 0;
  const s: EventSink = {
    scopes: new Set(scopes),
    sendEvent(event, payload, payloadJson) {
      frames.push(eventFrameText(event, payloadJson ? payloadJson() : JSON.stringify(payload), seq++));
    },
  };
  return { s, frames };
}

describe("eventFrameText", () => {
  it.each([
    ["an object payload", "chat", { runId: "r", text: 'quote " and \u2028' }, 3],
    ["no payload", "tick", undefined, 0],
    ["a null payload", "x", null, 1],
    ["an event name needing escapes", 'we"ird', [1, "two"], 7],
  ])("is what JSON.stringify gives for %s", (_label, event, payload, seq) => {
    expect(eventFrameText(event, JSON.stringify(payload), seq)).toBe(
      JSON.stringify({ type: "event", event, payload, seq }),
    );
  });
});

describe("EventHub", () => {
  it("serialises a broadcast's payload once for every connection, and only for those that may see it", () => {
    const hub = new EventHub();
    const a = sink();
    const b = sink(["operator.approvals"]);
    hub.add(a.s);
    hub.add(b.s);
    let serialised = 0;
    const payload = {
      toJSON() {
        serialised += 1;
        return { id: "1" };
      },
    };
    hub.broadcast("exec.approval.requested", payload);
    expect(a.frames).toEqual([]);
    expect(b.frames).toEqual(['{"type":"event","event":"exec.approval.requested","payload":{"id":"1"},"seq":0}']);
    hub.broadcast("chat", payload);
    expect(a.frames).toHaveLength(1);
    expect(serialised).toBe(2);
  });

  it("stops sending to a sink once removed", () => {
    const hub = new EventHub();
    const a = sink();
    const remove = hub.add(a.s);
    remove();
    hub.broadcast("tick", { ts: 1 });
    expect(a.frames).toEqual([]);
    expect(hub.size).toBe(0);
  });
});
