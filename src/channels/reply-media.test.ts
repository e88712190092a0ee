import { describe, expect, it } from "vitest";
import type { AgentPort, AgentRunOutcome } from "./agent-port.js";
import { type ReplyMedia, withReplyMedia } from "./reply-media.js";

/** An agent whose every run ends with `outcome`. */
function agentAnswering(outcome: AgentRunOutcome): AgentPort {
  return {
    send: () => ({ runId: "r1", status: "queued", sessionKey: "s" }),
    runs: { get: () => ({ runId: "r1", status: "queued" }), wait: async () => outcome },
  };
}

const wait = (agent: AgentPort | undefined) => agent!.runs.wait({ runId: "r1", status: "queued" }, 1000);

describe("withReplyMedia", () => {
  it("moves MEDIA lines to the sink and makes short text the first attachment's caption", async () => {
    const sink: ReplyMedia = { refs: [] };
    const agent = withReplyMedia(
      agentAnswering({ status: "ok", text: "A cat.\nMEDIA:/tmp/cat.png\nMEDIA:https://x.test/b.pdf" }),
      sink,
      (md) => `<b>${md}</b>`,
    );
    expect(await wait(agent)).toEqual({ status: "ok", text: "" });
    expect(sink).toEqual({
      refs: ["/tmp/cat.png", "https://x.test/b.pdf"],
      caption: "<b>A cat.</b>",
      captionSource: "A cat.",
    });
  });

  it("keeps the text when it cannot be a caption, and leaves replies without media and failed runs alone", async () => {
    const sink: ReplyMedia = { refs: [] };
    const long = withReplyMedia(agentAnswering({ status: "ok", text: "long\nMEDIA:/a.png" }), sink, () => undefined);
    expect(await wait(long)).toEqual({ status: "ok", text: "long" });
    expect(sink).toEqual({ refs: ["/a.png"] });

    const none: ReplyMedia = { refs: [] };
    const plain = { status: "ok" as const, text: "just text" };
    expect(await wait(withReplyMedia(agentAnswering(plain), none, (md) => md))).toBe(plain);
    const failed = { status: "error" as const, text: "MEDIA:/a.png", error: { kind: "x", message: "boom" } };
    expect(await wait(withReplyMedia(agentAnswering(failed), none, (md) => md))).toBe(failed);
    expect(none).toEqual({ refs: [] });
    expect(withReplyMedia(undefined, none, (md) => md)).toBeUndefined();
  });
});
