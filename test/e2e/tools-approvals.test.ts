import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { PINCER_BIN } from "./harness.js";
import { runToolTurn } from "./tools-harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * Exec approvals through the gateway: allowlisted commands run, anything else waits for a person
 * (`exec.approval.requested`), who answers over the protocol or with `pincer approvals`; an allowlisted command
 * chained with a forbidden one is not allowlisted.
 */

const run = promisify(execFile);
let t: AgentGateway;

beforeAll(async () => {
  t = await startAgentGateway((fake) => ({
    ...fakeConfig(fake, { agentDefaults: { maxSteps: 3 } }),
    tools: {
      exec: {
        security: "allowlist",
        ask: "on-miss",
        allowlist: ["echo", "ls", "touch allowed-*"],
        approvalTimeoutSeconds: 20,
      },
    },
  }));
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => t.fake.reset());

const ws = () => join(t.gw.stateDir, "workspace");

const seen = new Set<string>();

/** The next approval request for `command` not returned before. */
async function nextApproval(command: string): Promise<Any> {
  const ev = await t.events.waitFor(
    (e) => e.event === "exec.approval.requested" && e.payload.request.command === command && !seen.has(e.payload.id),
    15_000,
    `approval request for ${command}`,
  );
  seen.add(ev.payload.id);
  return ev.payload;
}

describe("exec approvals", () => {
  it("runs an allowlisted command without asking", async () => {
    const r = await runToolTurn(t, "main", "exec", { command: "echo fine && ls" });
    expect(r.isError).toBe(false);
    expect(r.result).toContain("fine");
    expect(t.events.all.some((e) => e.event === "exec.approval.requested")).toBe(false);
  });

  it("an allowlisted command chained with a forbidden one waits for approval; deny keeps it from running", async () => {
    const command = "echo hi; touch pwned";
    const pending = runToolTurn(t, "main", "exec", { command });
    const req = await nextApproval(command);
    expect(req.request).toMatchObject({ command, agentId: "main", sessionKey: "agent:main:main" });
    expect(req.request.reason).toContain('"touch pwned" is not in the allowlist');
    expect(req.request.cwd).toBe(ws());
    const listed = await t.client.call<Any[]>("exec.approval.list");
    expect(listed.map((a) => a.id)).toContain(req.id);
    await t.client.call("exec.approval.resolve", { id: req.id, decision: "deny" });
    const r = await pending;
    expect(r.isError).toBe(true);
    expect(r.result).toMatch(/Command not run: a person denied it/);
    expect(existsSync(join(ws(), "pwned"))).toBe(false);
    const resolved = t.events.all.find((e) => e.event === "exec.approval.resolved" && e.payload.id === req.id);
    expect(resolved?.payload.decision).toBe("deny");
  });

  it.each([
    "echo $(touch pwned2)",
    "echo `touch pwned2`",
    "ls # comment\ntouch pwned2",
    "ls && touch pwned2",
    "ls | touch pwned2",
  ])("never runs %j without approval", async (command) => {
    const pending = runToolTurn(t, "main", "exec", { command });
    const req = await nextApproval(command);
    await t.client.call("exec.approval.resolve", { id: req.id, decision: "deny" });
    expect((await pending).isError).toBe(true);
    expect(existsSync(join(ws(), "pwned2"))).toBe(false);
  });

  it("pincer approvals list/approve runs the approved command once; allow-always binds command and cwd", async () => {
    const command = "touch approved-file";
    const pending = runToolTurn(t, "main", "exec", { command });
    const req = await nextApproval(command);
    const cli = (...args: string[]) =>
      run(process.execPath, [PINCER_BIN, ...args, "--url", t.gw.url], { env: { ...process.env, HOME: t.gw.stateDir } });
    const list = await cli("approvals", "list");
    expect(list.stdout).toContain(req.id);
    expect(list.stdout).toContain("$ touch approved-file");
    await cli("approvals", "approve", req.id, "--always");
    const r = await pending;
    expect(r.isError).toBe(false);
    expect(existsSync(join(ws(), "approved-file"))).toBe(true);

    // The grant covers exactly that command in that directory…
    const again = await runToolTurn(t, "main", "exec", { command });
    expect(again.isError).toBe(false);
    const grants = JSON.parse(readFileSync(join(t.gw.stateDir, "exec-approvals.json"), "utf8"));
    expect(grants.grants).toEqual([expect.objectContaining({ command, cwd: ws(), agentId: "main" })]);
    // …not the same command elsewhere.
    const elsewhere = runToolTurn(t, "main", "exec", { command, workdir: "/tmp" });
    const req2 = await nextApproval(command);
    expect(req2.request.cwd).toBe("/tmp");
    await cli("approvals", "deny", req2.id);
    expect((await elsewhere).isError).toBe(true);
    const unknown = await cli("approvals", "approve", "no-such-id").catch((err) => err);
    expect(String(unknown.stderr)).toMatch(/no pending approval/);
  });

  it("a pending approval is withdrawn when the run is stopped, and the command never runs", async () => {
    const command = "touch never-approved";
    const pending = runToolTurn(t, "main", "exec", { command }).catch((err: Error) => err);
    const req = await nextApproval(command);
    await t.client.call("chat.abort", { sessionKey: "main" });
    await t.events.waitFor((e) => e.event === "exec.approval.resolved" && e.payload.id === req.id, 10_000);
    await pending;
    expect(existsSync(join(ws(), "never-approved"))).toBe(false);
    expect((await t.client.call<Any[]>("exec.approval.list")).map((a) => a.id)).not.toContain(req.id);
  });
});
