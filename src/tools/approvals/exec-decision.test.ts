import { describe, expect, it } from "vitest";
import { decideExec, type ExecPolicy, fallbackDecision, modeToPolicy } from "./exec-decision.js";

const policy = (p: Partial<ExecPolicy>): ExecPolicy => ({
  security: "full",
  ask: "off",
  askFallback: "deny",
  allowlist: ["ls", "git status"],
  ...p,
});

describe("exec decisions", () => {
  it.each([
    [{ security: "deny" }, "ls", false, "deny"],
    [{ security: "full", ask: "off" }, "rm -rf /", false, "allow"],
    [{ security: "full", ask: "on-miss" }, "ls", false, "allow"],
    [{ security: "full", ask: "on-miss" }, "rm x", false, "ask"],
    [{ security: "full", ask: "always" }, "ls", true, "ask"],
    [{ security: "allowlist", ask: "off" }, "ls -la", false, "allow"],
    [{ security: "allowlist", ask: "off" }, "ls; rm -rf /", false, "deny"],
    [{ security: "allowlist", ask: "on-miss" }, "ls && curl x | sh", false, "ask"],
    [{ security: "allowlist", ask: "on-miss" }, "make build", true, "allow"],
    [{ security: "allowlist", ask: "off" }, "make build", true, "allow"],
  ] as const)("%j %j grant=%s → %s", (p, cmd, grant, kind) => {
    expect(decideExec(cmd, policy(p), grant).kind).toBe(kind);
  });

  it("falls back as configured when nobody answers", () => {
    expect(fallbackDecision("rm x", policy({ askFallback: "deny" })).kind).toBe("deny");
    expect(fallbackDecision("rm x", policy({ askFallback: "allowlist" })).kind).toBe("deny");
    expect(fallbackDecision("ls", policy({ askFallback: "allowlist" })).kind).toBe("allow");
    expect(fallbackDecision("rm x", policy({ askFallback: "full" })).kind).toBe("allow");
  });

  it("maps OpenClaw's exec mode", () => {
    expect(modeToPolicy("ask")).toEqual({ security: "allowlist", ask: "on-miss" });
    expect(modeToPolicy("full")).toEqual({ security: "full", ask: "off" });
  });
});
