import { spawn } from "node:child_process";
import { OutputBuffer } from "./output-buffer.js";

/** How long a process gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2_000;
/**
 * A command that prints more than this is stopped: nobody reads it, and an endless `yes` would otherwise burn a
 * core until its timeout. The kept head and tail still show what it printed.
 */
export const OUTPUT_KILL_CHARS = 100_000_000;
/** After the main process exits, how long to wait for its pipes to close (a leftover child may hold them). */
const PIPE_DRAIN_MS = 250;

export interface ProcessSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** 0: no timeout. */
  timeoutMs: number;
  maxOutputChars: number;
  signal?: AbortSignal;
  onOutput?: (chunk: string) => void;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** Killed because it printed more than OUTPUT_KILL_CHARS. */
  outputLimited: boolean;
  durationMs: number;
  /** The process could not be started (ENOENT, EACCES …). */
  spawnError?: string;
}

/**
 * One child process in its own process group, with stdout and stderr merged into a bounded buffer, a timeout
 * and an abort signal that kill the whole group (TERM, then KILL).
 */
export class RunningProcess {
  readonly output: OutputBuffer;
  readonly startedAt = Date.now();
  readonly done: Promise<ExitInfo>;
  readonly pid: number | undefined;
  exit: ExitInfo | undefined;
  private killReason: "timeout" | "abort" | "output" | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(spec: ProcessSpec) {
    this.output = new OutputBuffer(spec.maxOutputChars);
    const [file, ...args] = spec.argv;
    if (!file) throw new Error("empty argv");
    const child = spawn(file, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    });
    this.pid = child.pid;
    const onData = (chunk: string) => {
      this.output.push(chunk);
      spec.onOutput?.(chunk);
      if (this.output.totalChars > OUTPUT_KILL_CHARS && !this.killReason) this.kill("output");
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);

    const timer = spec.timeoutMs > 0 ? setTimeout(() => this.kill("timeout"), spec.timeoutMs) : undefined;
    const onAbort = () => this.kill("abort");
    spec.signal?.addEventListener("abort", onAbort, { once: true });

    this.done = new Promise<ExitInfo>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: string) => {
        if (this.exit) return;
        clearTimeout(timer);
        clearTimeout(this.killTimer);
        spec.signal?.removeEventListener("abort", onAbort);
        this.exit = {
          exitCode: code,
          signal,
          timedOut: this.killReason === "timeout",
          aborted: this.killReason === "abort",
          outputLimited: this.killReason === "output",
          durationMs: Date.now() - this.startedAt,
          ...(spawnError ? { spawnError } : {}),
        };
        resolve(this.exit);
      };
      child.once("error", (err) => finish(null, null, err.message));
      child.once("exit", (code, signal) => {
        // Leftover members of the group (a `sleep &`) may hold the pipes open: give them a moment, then stop
        // listening; the group itself is killed so nothing outlives the command unnoticed.
        const drained = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish(code, signal);
        }, PIPE_DRAIN_MS);
        child.once("close", () => {
          clearTimeout(drained);
          finish(code, signal);
        });
        this.signalGroup("SIGKILL");
      });
    });
    if (spec.signal?.aborted) this.kill("abort");
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  kill(reason: "timeout" | "abort" | "output" = "abort"): void {
    if (this.exit || this.killReason) return;
    this.killReason = reason;
    this.signalGroup("SIGTERM");
    this.killTimer = setTimeout(() => this.signalGroup("SIGKILL"), KILL_GRACE_MS);
    this.killTimer.unref();
  }

  private signalGroup(sig: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      // The group is already gone.
    }
  }
}

/** A short human summary of how a process ended, for tool results. */
export function describeExit(exit: ExitInfo, timeoutMs: number): string {
  if (exit.spawnError) return `could not start: ${exit.spawnError}`;
  if (exit.timedOut) return `killed after the ${Math.round(timeoutMs / 1000)} s timeout`;
  if (exit.outputLimited)
    return `killed after printing more than ${OUTPUT_KILL_CHARS.toLocaleString("en")} characters of output`;
  if (exit.aborted) return "killed: the run was stopped";
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.exitCode}`;
}
