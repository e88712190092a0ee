import { mkdir, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { z } from "zod";
import { PincerError } from "../errors.js";
import type { ExecBackend } from "../sandbox/backend.js";
import { checkCommandEnv } from "../sandbox/env.js";
import { SANDBOX_WORKSPACE_DIR, type SandboxPlan } from "../sandbox/plan.js";
import { describeExit, RunningProcess } from "../sandbox/run-process.js";
import type { ExecApprovals } from "./approvals/exec-approvals.js";
import { decideExec, type ExecDecision, type ExecPolicy, fallbackDecision } from "./approvals/exec-decision.js";
import type { ExecConfig } from "./config-schema.js";
import type { ProcessRegistry } from "./process-registry.js";
import { type AgentTool, defineTool, type ToolContext, textResult } from "./tool.js";
import { resolveWorkspacePath } from "./workspace-path.js";

/** Partial output is streamed to watchers at most this often. */
const UPDATE_INTERVAL_MS = 500;
const UPDATE_MAX_CHARS = 4_000;

export interface ExecToolEnv {
  agentId: string;
  sessionKey: string;
  config: ExecConfig;
  policy: ExecPolicy;
  /** The session's sandbox; absent when its tools run on the host. */
  sandbox?: { plan: SandboxPlan; backend: ExecBackend } | undefined;
  host: ExecBackend;
  /** Host cwd for relative workdirs: the agent workspace. */
  hostWorkspace: string;
  elevatedAllowed: boolean;
  /** When the `process` tool is not available, commands never move to the background. */
  backgroundAllowed: boolean;
  approvals: ExecApprovals;
  processes: ProcessRegistry;
}

const ExecArgs = z.object({
  command: z.string().min(1).max(100_000).describe("Shell command to run (bash when available)."),
  workdir: z.string().optional().describe("Working directory; relative paths are inside the workspace."),
  env: z.record(z.string(), z.string()).optional().describe("Extra environment variables."),
  timeoutSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .optional()
    .describe("Kill the command after this many seconds (0: no limit). Defaults to tools.exec.timeoutSeconds."),
  background: z.boolean().optional().describe("Start in the background at once; follow it with the process tool."),
  yieldMs: z
    .number()
    .int()
    .min(0)
    .max(600_000)
    .optional()
    .describe("Move to the background if still running after this many ms (0: wait until it ends)."),
  elevated: z.boolean().optional().describe("Run on the gateway host instead of the sandbox (only if permitted)."),
});

export function execTool(env: ExecToolEnv): AgentTool {
  return defineTool({
    name: "exec",
    description:
      "Run a shell command in the workspace and return its output and exit code. Long-running commands continue in the background; follow them with the process tool.",
    parameters: ExecArgs,
    async execute(_id, args, ctx) {
      checkCommandEnv(args.env ?? {});
      const sandboxed = env.sandbox !== undefined && !args.elevated;
      if (args.elevated && env.sandbox && !env.elevatedAllowed) {
        throw new PincerError(
          "FORBIDDEN",
          "elevated exec is not allowed for this sender: it needs tools.elevated.enabled and the sender in tools.elevated.allowFrom",
        );
      }
      if (!env.sandbox && env.config.host === "sandbox") {
        throw new PincerError(
          "UNAVAILABLE",
          "tools.exec.host is sandbox but this session has no sandbox (agents.defaults.sandbox.mode); refusing to run on the host",
        );
      }
      const timeoutMs = (args.timeoutSeconds ?? env.config.timeoutSeconds) * 1000;
      const backend = sandboxed && env.sandbox ? env.sandbox.backend : env.host;
      const cwd =
        sandboxed && env.sandbox ? await sandboxCwd(env.sandbox.plan, args.workdir) : await hostCwd(env, args.workdir);

      if (env.policy.security === "deny")
        throw new PincerError("FORBIDDEN", "exec is disabled here (tools.exec.security is deny)");
      const prepared = await backend.prepare({ command: args.command, cwd, env: args.env ?? {}, timeoutMs });
      if (!sandboxed) {
        const verdict = await approve(env, args.command, prepared.argv, cwd, prepared.where, ctx);
        if (verdict.kind !== "allow") return textResult(`Command not run: ${verdict.reason}`, true);
      }

      const updates = throttledUpdates(ctx);
      const proc = new RunningProcess({
        argv: prepared.argv,
        cwd: prepared.cwd,
        env: prepared.env,
        ...(prepared.uid !== undefined ? { uid: prepared.uid } : {}),
        ...(prepared.gid !== undefined ? { gid: prepared.gid } : {}),
        timeoutMs,
        maxOutputChars: env.config.maxOutputChars,
        ...(updates ? { onOutput: updates.push } : {}),
      });
      const header = `$ ${args.command}\n(${prepared.where}, cwd ${cwd})`;
      const toBackground = () => {
        updates?.stop();
        const managed = env.processes.add({
          agentId: env.agentId,
          sessionKey: env.sessionKey,
          command: args.command,
          where: prepared.where,
          timeoutMs,
          proc,
        });
        return managed.id;
      };
      if (args.background && env.backgroundAllowed) {
        return textResult(
          `${header}\nStarted in the background as ${toBackground()}. Use the process tool (poll, kill).`,
        );
      }
      const yieldMs = env.backgroundAllowed ? (args.yieldMs ?? env.config.backgroundMs) : 0;
      const finished = await waitFor(proc, yieldMs, ctx.signal);
      if (!finished) {
        if (ctx.signal.aborted) proc.kill("abort");
        else {
          const id = toBackground();
          return textResult(
            `${header}\nStill running after ${Math.round(yieldMs / 1000)} s; it continues in the background as ${id}.\nOutput so far:\n${proc.output.text()}\nUse the process tool to poll or kill it.`,
          );
        }
      }
      const exit = await proc.done;
      updates?.stop();
      const output = proc.output.text();
      const status = describeExit(exit, timeoutMs);
      const failed = exit.spawnError !== undefined || exit.timedOut || exit.outputLimited || exit.aborted;
      return textResult(
        `${header}\n${output.length > 0 ? output : "(no output)"}${output.endsWith("\n") ? "" : "\n"}[${status} · ${(exit.durationMs / 1000).toFixed(1)} s${proc.output.truncated ? ` · ${proc.output.totalChars.toLocaleString("en")} characters printed, middle omitted` : ""}]`,
        failed,
      );
    },
  });
}

async function approve(
  env: ExecToolEnv,
  command: string,
  argv: string[],
  cwd: string,
  where: string,
  ctx: ToolContext,
): Promise<ExecDecision> {
  const hasGrant = await env.approvals.hasGrant(env.agentId, command, cwd);
  const decision = decideExec(command, env.policy, hasGrant);
  if (decision.kind !== "ask") return decision;
  ctx.onUpdate?.(`Waiting for approval: ${decision.reason}`);
  const outcome = await env.approvals.request(
    {
      command,
      commandArgv: argv,
      cwd,
      host: where,
      agentId: env.agentId,
      sessionKey: env.sessionKey,
      reason: decision.reason,
    },
    env.config.approvalTimeoutSeconds * 1000,
    ctx.signal,
  );
  if (outcome.decision === "allow-once" || outcome.decision === "allow-always")
    return { kind: "allow", reason: `approved (${outcome.decision})` };
  if (outcome.decision === "deny") return { kind: "deny", reason: "a person denied it" };
  if (outcome.unanswered === "aborted")
    return { kind: "deny", reason: "the run was stopped while waiting for approval" };
  return fallbackDecision(command, env.policy);
}

async function sandboxCwd(plan: SandboxPlan, workdir: string | undefined): Promise<string> {
  const resolved = await resolveWorkspacePath(
    { dir: plan.hostWorkspace, virtualDir: SANDBOX_WORKSPACE_DIR },
    workdir ?? ".",
  );
  await assertDirectory(resolved.abs, workdir ?? ".");
  return resolved.rel === "." ? SANDBOX_WORKSPACE_DIR : `${SANDBOX_WORKSPACE_DIR}/${resolved.rel}`;
}

/** On the host the main session may work anywhere (it can `cd` anyway); relative paths start in the workspace. */
async function hostCwd(env: ExecToolEnv, workdir: string | undefined): Promise<string> {
  await mkdir(env.hostWorkspace, { recursive: true });
  const dir = workdir
    ? isAbsolute(workdir)
      ? resolve(workdir)
      : resolve(env.hostWorkspace, workdir)
    : env.hostWorkspace;
  await assertDirectory(dir, workdir ?? relative(process.cwd(), dir));
  return dir;
}

async function assertDirectory(abs: string, shown: string): Promise<void> {
  const st = await stat(abs).catch(() => undefined);
  if (!st?.isDirectory()) throw new PincerError("INVALID_REQUEST", `workdir "${shown}" is not an existing directory`);
}

/** Resolves true when the process ended within `ms` (0: wait for the end), false on timeout or abort. */
function waitFor(proc: RunningProcess, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolveWait) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (v: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolveWait(v);
    };
    const onAbort = () => done(false);
    if (ms > 0) timer = setTimeout(() => done(false), ms);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    void proc.done.then(() => done(true));
  });
}

function throttledUpdates(ctx: ToolContext): { push: (chunk: string) => void; stop: () => void } | undefined {
  const emit = ctx.onUpdate;
  if (!emit) return undefined;
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  return {
    push: (chunk) => {
      if (stopped) return;
      if (pending.length < UPDATE_MAX_CHARS) pending += chunk.slice(0, UPDATE_MAX_CHARS - pending.length);
      timer ??= setTimeout(() => {
        timer = undefined;
        const text = pending;
        pending = "";
        if (text && !stopped) emit(text);
      }, UPDATE_INTERVAL_MS);
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
