import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ApprovalRequest, ExecApprovals } from "./exec-approvals.js";

const dir = mkdtempSync(join(tmpdir(), "pincer-approvals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request: ApprovalRequest = {
  command: "make deploy",
  commandArgv: ["/bin/bash", "-c", "make deploy"],
  cwd: "/srv/app",
  host: "host",
  agentId: "main",
  sessionKey: "agent:main:main",
  reason: "not in the allowlist",
};

function approvals(file = join(dir, `grants-${Math.random()}.json`)) {
  const events: { event: string; payload: { id?: string; decision?: string } }[] = [];
  return {
    events,
    file,
    a: new ExecApprovals({
      grantsFile: file,
      broadcast: (event, payload) => events.push({ event, payload: payload as never }),
    }),
  };
}

describe("ExecApprovals", () => {
  it("broadcasts the request, resolves by id prefix, and records allow-always for that command and cwd only", async () => {
    const { a, events, file } = approvals();
    const pending = a.request(request, 60_000, new AbortController().signal);
    const id = a.list()[0]?.id as string;
    expect(events[0]).toMatchObject({ event: "exec.approval.requested", payload: { id } });
    await a.resolve(id.slice(0, 8), "allow-always", "cli");
    expect(await pending).toEqual({ decision: "allow-always", resolvedBy: "cli" });
    expect(events[1]).toMatchObject({ event: "exec.approval.resolved", payload: { id, decision: "allow-always" } });
    expect(await a.hasGrant("main", "make deploy", "/srv/app")).toBe(true);
    expect(await a.hasGrant("main", "make deploy", "/srv/other")).toBe(false);
    expect(await a.hasGrant("other", "make deploy", "/srv/app")).toBe(false);
    expect(await a.hasGrant("main", "make deploy; rm -rf /", "/srv/app")).toBe(false);
    expect(JSON.parse(readFileSync(file, "utf8")).grants).toHaveLength(1);
    // A new manager (gateway restart) reads the grant back.
    expect(
      await new ExecApprovals({ grantsFile: file, broadcast: () => undefined }).hasGrant(
        "main",
        "make deploy",
        "/srv/app",
      ),
    ).toBe(true);
  });

  it("expires unanswered requests and withdraws them when the run stops", async () => {
    const { a } = approvals();
    expect(await a.request(request, 10, new AbortController().signal)).toEqual({
      decision: null,
      unanswered: "expired",
    });
    const stop = new AbortController();
    const pending = a.request(request, 60_000, stop.signal);
    stop.abort();
    expect(await pending).toEqual({ decision: null, unanswered: "aborted" });
    expect(a.list()).toEqual([]);
  });

  it("rejects unknown ids and a malformed grants file with actionable errors", async () => {
    const { a } = approvals();
    await expect(a.resolve("nope", "deny")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    await expect(
      new ExecApprovals({ grantsFile: bad, broadcast: () => undefined }).hasGrant("m", "c", "/"),
    ).rejects.toThrow(/malformed; fix or delete it/);
  });
});
