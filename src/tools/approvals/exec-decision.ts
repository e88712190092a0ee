import type { ExecAsk, ExecSecurity } from "../config-schema.js";
import { matchAllowlist } from "./allowlist.js";

/**
 * Whether a host command runs, waits for a person, or is refused. Pure: the caller supplies the policy, the
 * allowlist and whether an exact allow-always grant (same command, same cwd) exists.
 *
 *   security deny                      → deny
 *   ask always                         → ask (grants do not silence "always")
 *   allowlist match or a grant         → allow
 *   security full, ask off             → allow
 *   miss, ask on-miss                  → ask
 *   miss, security allowlist, ask off  → deny
 */

export interface ExecPolicy {
  security: ExecSecurity;
  ask: ExecAsk;
  askFallback: ExecSecurity;
  allowlist: readonly string[];
}

export type ExecDecision =
  | { kind: "allow"; reason: string }
  | { kind: "ask"; reason: string }
  | { kind: "deny"; reason: string };

export function decideExec(command: string, policy: ExecPolicy, hasGrant: boolean): ExecDecision {
  if (policy.security === "deny")
    return { kind: "deny", reason: "exec is disabled here (tools.exec.security is deny)" };
  if (policy.ask === "always")
    return { kind: "ask", reason: "every command needs approval (tools.exec.ask is always)" };
  const match = matchAllowlist(command, policy.allowlist);
  if (match.match) return { kind: "allow", reason: "allowlisted" };
  if (hasGrant) return { kind: "allow", reason: "approved before (allow-always) for this command and directory" };
  if (policy.security === "full" && policy.ask === "off") return { kind: "allow", reason: "security full" };
  if (policy.ask === "on-miss") return { kind: "ask", reason: match.reason };
  return { kind: "deny", reason: `${match.reason} (tools.exec.security is allowlist)` };
}

/** What an unanswered approval turns into (tools.exec.askFallback). */
export function fallbackDecision(command: string, policy: ExecPolicy): ExecDecision {
  if (policy.askFallback === "full") return { kind: "allow", reason: "no answer; askFallback is full" };
  if (policy.askFallback === "allowlist" && matchAllowlist(command, policy.allowlist).match)
    return { kind: "allow", reason: "no answer; allowlisted (askFallback allowlist)" };
  return { kind: "deny", reason: "nobody approved the command in time (tools.exec.askFallback is deny)" };
}

/** OpenClaw's `tools.exec.mode` shorthand as a security/ask pair. */
export function modeToPolicy(mode: "deny" | "allowlist" | "ask" | "full"): { security: ExecSecurity; ask: ExecAsk } {
  switch (mode) {
    case "deny":
      return { security: "deny", ask: "off" };
    case "allowlist":
      return { security: "allowlist", ask: "off" };
    case "ask":
      return { security: "allowlist", ask: "on-miss" };
    case "full":
      return { security: "full", ask: "off" };
  }
}
