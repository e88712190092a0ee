import { z } from "zod";
import { PincerError } from "../../errors.js";
import { defineMethod } from "./types.js";

/**
 * wake: OpenClaw's "system event" (`openclaw system event --text …`). The text is queued for an agent's main
 * session; mode "now" delivers it (with anything else pending) in a main-session turn at once, "next-heartbeat"
 * leaves it for the agent's next heartbeat (at once when the agent has no heartbeat: see Automation.wake).
 */

export const WakeParams = z.looseObject({
  mode: z.enum(["now", "next-heartbeat"]),
  text: z.string().min(1).max(20_000),
  sessionKey: z.string().min(1).max(512).optional(),
  agentId: z.string().min(1).optional(),
});

export const wakeMethod = defineMethod({
  name: "wake",
  scope: "operator.write",
  params: WakeParams,
  handler: async (p, { services }) => {
    const text = p.text.trim();
    if (!text) throw new PincerError("INVALID_REQUEST", "params.text is blank: give the system event some text");
    const automation = services.automation;
    if (!automation) {
      throw new PincerError("UNAVAILABLE", "automation is not running yet; retry in a moment", { retryable: true });
    }
    const [{ defaultAgent, findAgent }, { parseSessionKey }] = await Promise.all([
      import("../../agent/agents.js"),
      import("../../sessions/keys.js"),
    ]);
    const config = services.config.current.config;
    const named = p.agentId ? findAgent(config, services.paths, p.agentId) : defaultAgent(config, services.paths);
    let agentId = named.id;
    if (p.sessionKey) {
      const parsed = parseSessionKey(p.sessionKey, { defaultAgentId: agentId, mainKey: config.session.mainKey });
      if (p.agentId && parsed.agentId !== agentId) {
        throw new PincerError(
          "INVALID_REQUEST",
          `params.agentId "${p.agentId}" contradicts params.sessionKey "${p.sessionKey}" (agent ${parsed.agentId}): pass one of them`,
        );
      }
      // System events are the main session's input in Pincer; other sessions are reached with chat.send.
      if (parsed.kind !== "main") {
        throw new PincerError(
          "INVALID_REQUEST",
          `params.sessionKey "${p.sessionKey}" is not an agent's main session: system events go to the main session (omit sessionKey, or use chat.send for ${parsed.key})`,
        );
      }
      agentId = findAgent(config, services.paths, parsed.agentId).id;
    }
    const outcome = automation.wake(agentId, text, p.mode);
    return { ok: true, agentId, mode: p.mode, outcome, pending: automation.systemEvents.count(agentId) };
  },
});
