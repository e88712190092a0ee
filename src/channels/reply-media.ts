import type { AgentPort } from "./agent-port.js";
import { extractMediaLines } from "./outbound-media.js";

/**
 * The agent as the inbound pipeline sees it, with attachments taken out of its reply. A successful run's
 * standalone `MEDIA:` lines go to the sink; when the rest of the reply fits a caption (`captionOf` says so),
 * it rides on the first attachment (as OpenClaw delivers a reply with media) and the pipeline sends no text of
 * its own, else the text goes out as usual and the attachments follow it. The channel manager sends the sink.
 */

export interface ReplyMedia {
  refs: string[];
  /** The first attachment's caption, rendered for the platform. */
  caption?: string;
  /** The reply text the caption was made from: sent as text instead when the first attachment fails. */
  captionSource?: string;
}

export function withReplyMedia(
  agent: AgentPort | undefined,
  sink: ReplyMedia,
  captionOf: (markdown: string) => string | undefined,
): AgentPort | undefined {
  if (!agent) return undefined;
  return {
    send: (params) => agent.send(params),
    runs: {
      get: (runId) => agent.runs.get(runId),
      async wait(run, timeoutMs) {
        const outcome = await agent.runs.wait(run, timeoutMs);
        if (outcome?.status !== "ok") return outcome;
        const { text, media } = extractMediaLines(outcome.text);
        if (media.length === 0) return outcome;
        sink.refs.push(...media);
        const caption = text ? captionOf(text) : undefined;
        if (caption === undefined) return { ...outcome, text };
        sink.caption = caption;
        sink.captionSource = text;
        return { ...outcome, text: "" };
      },
    },
  };
}
