import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { offeredTools, runToolTurn } from "./tools-harness.js";

/**
 * exec, process and the file tools through the real gateway: the main session on the host, every other session
 * in a bubblewrap sandbox (the default). Bad input: a command that never ends, one that prints 1 GB, a fork bomb
 * and network access inside the sandbox, path escapes.
 */

const HAVE_BWRAP = existsSync("/usr/bin/bwrap") || existsSync("/bin/bwrap");
const GROUP = "telegram:group:4242";
const MAIN = "main";

let t: AgentGateway;
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((_req, res) => res.end("reachable"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  t = await startAgentGateway((fake) => {
    const cfg = fakeConfig(fake, { agentDefaults: { maxSteps: 4 } });
    return { ...cfg, tools: { exec: { backgroundMs: 60_000 }, maxResultChars: 20_000 } };
  });
});
afterAll(async () => {
  await t?.close();
  server?.close();
});

const workspace = () => join(t.gw.stateDir, "workspace");

describe("exec on the host (main session)", () => {
  it("runs a command in the workspace and reports its exit code", async () => {
    const r = await runToolTurn(t, MAIN, "exec", { command: "echo hello-host && pwd && exit 3" });
    expect(r.isError).toBe(false);
    expect(r.result).toContain("hello-host");
    expect(r.result).toContain(workspace());
    expect(r.result).toContain("exit code 3");
    expect(r.result).toContain("(host");
  });

  it("kills a command that never ends at its timeout, with its whole process group", async () => {
    const r = await runToolTurn(t, MAIN, "exec", { command: "sleep 987654 & sleep 987655", timeoutSeconds: 1 });
    expect(r.isError).toBe(true);
    expect(r.result).toMatch(/killed after the 1 s timeout/);
    const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps).not.toMatch(/sleep 98765[45]/);
  });

  it("caps a command that prints 1 GB: bounded result, head and tail kept", async () => {
    const r = await runToolTurn(t, MAIN, "exec", {
      command: "echo FIRST-LINE; head -c 1000000000 /dev/zero | tr '\\0' 'x'; echo; echo LAST-LINE",
    });
    expect(r.result.length).toBeLessThan(25_000);
    expect(r.result).toContain("FIRST-LINE");
    expect(r.result).toMatch(/omitted|truncated/);
  });

  it("moves a long command to the background and controls it with the process tool", async () => {
    const started = await runToolTurn(t, MAIN, "exec", { command: "echo started; sleep 600", background: true });
    const id = /as (proc_[0-9a-f]+)/.exec(started.result)?.[1];
    expect(id).toBeDefined();
    const list = await runToolTurn(t, MAIN, "process", { action: "list" });
    expect(list.result).toContain(id);
    const poll = await runToolTurn(t, MAIN, "process", { action: "poll", sessionId: id, timeoutMs: 2000 });
    expect(poll.result).toContain("started");
    expect(poll.result).toMatch(/running/);
    const kill = await runToolTurn(t, MAIN, "process", { action: "kill", sessionId: id });
    expect(kill.result).toMatch(/stopped \(finished/);
    const unknown = await runToolTurn(t, MAIN, "process", { action: "poll", sessionId: "proc_nope" });
    expect(unknown.isError).toBe(true);
  });

  it("refuses env overrides that change which program runs", async () => {
    const r = await runToolTurn(t, MAIN, "exec", { command: "true", env: { LD_PRELOAD: "/tmp/x.so" } });
    expect(r.isError).toBe(true);
    expect(r.result).toMatch(/LD_PRELOAD may not be set/);
  });
});

describe("file tools stay inside the workspace", () => {
  it("write, read, edit and apply_patch work on workspace files", async () => {
    expect((await runToolTurn(t, MAIN, "write", { path: "notes/a.txt", content: "alpha\nbeta\n" })).isError).toBe(
      false,
    );
    expect(
      (await runToolTurn(t, MAIN, "edit", { path: "notes/a.txt", oldText: "beta", newText: "gamma" })).isError,
    ).toBe(false);
    const patch = ["*** Begin Patch", "*** Update File: notes/a.txt", " alpha", "-gamma", "+delta", "*** End Patch"];
    expect((await runToolTurn(t, MAIN, "apply_patch", { input: patch.join("\n") })).isError).toBe(false);
    const read = await runToolTurn(t, MAIN, "read", { path: "notes/a.txt" });
    expect(read.result).toBe("alpha\ndelta");
    expect(readFileSync(join(workspace(), "notes/a.txt"), "utf8")).toBe("alpha\ndelta\n");
  });

  it.each([
    ["read", { path: "../pincer.json" }],
    ["read", { path: "/etc/passwd" }],
    ["write", { path: "../../escape.txt", content: "x" }],
    ["read", { path: "out-link/passwd" }],
    ["write", { path: "out-link/new.txt", content: "x" }],
  ])("%s %j is refused", async (tool, args) => {
    mkdirSync(workspace(), { recursive: true });
    if (!existsSync(join(workspace(), "out-link"))) symlinkSync("/etc", join(workspace(), "out-link"));
    const r = await runToolTurn(t, MAIN, tool, args);
    expect(r.isError).toBe(true);
    expect(r.result).toMatch(/outside the workspace|points outside/);
  });
});

describe.skipIf(!HAVE_BWRAP)("exec in the bwrap sandbox (non-main session)", () => {
  it("runs sandboxed by default: private workspace, not root, no host state visible", async () => {
    const r = await runToolTurn(t, GROUP, "exec", {
      command:
        "echo inside > f.txt; cat f.txt; pwd; id -u; ls /root 2>&1 | head -1; test -e $HOME/pincer.json || echo no-state",
    });
    expect(r.isError).toBe(false);
    expect(r.result).toContain("(sandbox ");
    expect(r.result).toContain("inside");
    expect(r.result).toContain("/workspace");
    expect(r.result).not.toMatch(/^0$/m);
    expect(r.result).toContain("no-state");
    expect(existsSync(join(workspace(), "f.txt"))).toBe(false);
    // The file tools of that session see the same private workspace.
    const read = await runToolTurn(t, GROUP, "read", { path: "/workspace/f.txt" });
    expect(read.result).toBe("inside");
  });

  it("files the file tools create in the sandbox stay editable by sandboxed commands", async () => {
    const w = await runToolTurn(t, GROUP, "write", { path: "deep/er/note.txt", content: "one\n" });
    expect(w.isError).toBe(false);
    const r = await runToolTurn(t, GROUP, "exec", {
      command: "echo two >> deep/er/note.txt && touch deep/er/new && cat deep/er/note.txt",
    });
    expect(r.result).toContain("one\ntwo");
    expect(r.result).toContain("exit code 0");
  });

  it("has no network: a host port reachable from the main session is not reachable inside", async () => {
    const probe = `(echo > /dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo CONNECTED || echo BLOCKED`;
    const host = await runToolTurn(t, MAIN, "exec", { command: `bash -c '${probe}'` });
    expect(host.result).toContain("CONNECTED");
    const inside = await runToolTurn(t, GROUP, "exec", { command: `bash -c '${probe}'` });
    expect(inside.result).toContain("BLOCKED");
  });

  it("contains a fork bomb and stays usable afterwards", async () => {
    const before = Number(execFileSync("sh", ["-c", "ls /proc | grep -c '^[0-9]'"], { encoding: "utf8" }));
    const r = await runToolTurn(
      t,
      GROUP,
      "exec",
      { command: "bomb() { bomb | bomb & }; bomb; sleep 3; echo survived", timeoutSeconds: 6 },
      40_000,
    );
    expect(r.final.state).toBe("final");
    expect(r.result).toMatch(/Resource temporarily unavailable|killed after|exit code/);
    const after = Number(execFileSync("sh", ["-c", "ls /proc | grep -c '^[0-9]'"], { encoding: "utf8" }));
    expect(after - before).toBeLessThan(50);
    const next = await runToolTurn(t, GROUP, "exec", { command: "echo still-fine" });
    expect(next.result).toContain("still-fine");
    expect((await fetch(`${t.gw.httpUrl}/readyz`)).status).toBe(200);
  });

  it("kills a never-ending command at its timeout, and 1 GB of output is capped", async () => {
    const slow = await runToolTurn(t, GROUP, "exec", { command: "sleep 876543", timeoutSeconds: 1 });
    expect(slow.result).toMatch(/killed after the 1 s timeout/);
    expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })).not.toContain("sleep 876543");
    const loud = await runToolTurn(t, GROUP, "exec", { command: "head -c 1000000000 /dev/zero | tr '\\0' 'y'" });
    expect(loud.result.length).toBeLessThan(25_000);
    expect(loud.result).toMatch(/omitted|truncated/);
  });

  it("offers no browser, messaging or sessions_send to the sandboxed session", async () => {
    await runToolTurn(t, GROUP, "exec", { command: "true" });
    const offered = offeredTools(t);
    expect(offered).toContain("exec");
    expect(offered).not.toContain("sessions_send");
    expect(offered).not.toContain("browser");
    const denied = await runToolTurn(t, GROUP, "sessions_send", { sessionKey: "main", message: "hi" });
    expect(denied.isError).toBe(true);
    expect(denied.result).toMatch(/Unknown tool/);
  });

  it("elevated exec is refused for a sender not in tools.elevated.allowFrom", async () => {
    const r = await runToolTurn(t, GROUP, "exec", { command: "id", elevated: true });
    expect(r.isError).toBe(true);
    expect(r.result).toMatch(/elevated exec is not allowed/);
  });
});

describe("tool runs are recorded", () => {
  it("logs each run with tool, session and outcome", async () => {
    await runToolTurn(t, MAIN, "read", { path: "does-not-exist.txt" });
    const logDir = join(t.gw.stateDir, "logs");
    const text = existsSync(logDir)
      ? execFileSync("sh", ["-c", `cat ${logDir}/* 2>/dev/null || true`], { encoding: "utf8" })
      : t.gw.output();
    expect(`${text}\n${t.gw.output()}`).toMatch(/"tool":"read".*"isError":true|tool read failed/);
    writeFileSync(join(workspace(), "exists.txt"), "x");
  });
});
