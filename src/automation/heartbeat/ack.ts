import { WORKSPACE_TEMPLATES } from "../../workspace/templates.js";

export const HEARTBEAT_OK = "HEARTBEAT_OK";
const NO_REPLY = "NO_REPLY";

/**
 * Reads a heartbeat reply: an acknowledgment (HEARTBEAT_OK at its start or end with at most `ackMaxChars` of
 * other text, or NO_REPLY, or nothing) is suppressed; anything else is an alert, delivered without the token.
 */
export function classifyHeartbeatReply(
  text: string,
  ackMaxChars: number,
): { kind: "ack" } | { kind: "alert"; text: string } {
  const trimmed = text.trim();
  if (!trimmed || trimmed === NO_REPLY) return { kind: "ack" };
  let rest = trimmed;
  let hadToken = false;
  if (rest.startsWith(HEARTBEAT_OK)) {
    rest = rest.slice(HEARTBEAT_OK.length);
    hadToken = true;
  } else if (rest.endsWith(HEARTBEAT_OK)) {
    rest = rest.slice(0, -HEARTBEAT_OK.length);
    hadToken = true;
  }
  rest = rest.replace(/^[\s.,:;!-]+|[\s.,:;!-]+$/g, "");
  if (hadToken && rest.length <= ackMaxChars) return { kind: "ack" };
  return { kind: "alert", text: hadToken ? rest : trimmed };
}

/**
 * HEARTBEAT.md with nothing to do: missing, the untouched workspace template, or only headings, comments and
 * empty list items.
 */
export function isEffectivelyEmpty(markdown: string | undefined): boolean {
  if (markdown === undefined) return true;
  if (markdown.trim() === WORKSPACE_TEMPLATES["HEARTBEAT.md"]?.trim()) return true;
  const body = markdown
    .replace(/<!--[\s\S]*?-->/g, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^#+(\s|$)/.test(l) && !/^[-*+]\s*(\[\s?\])?\s*$/.test(l));
  return body.length === 0;
}
