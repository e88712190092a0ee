import type { SandboxPlan } from "./plan.js";

/** A shell command to run, as the exec tool asks for it. */
export interface CommandRequest {
  command: string;
  /** Working directory: a host path for the host backend, a path under /workspace for sandboxes. */
  cwd: string;
  /** Variables the caller adds on top of the backend's minimal environment. */
  env: Record<string, string>;
  timeoutMs: number;
}

/** What to spawn: the argv that runs the command (wrapped by the backend), its cwd, env and identity. */
export interface PreparedCommand {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Shown to approvers and in results: where the command ran. */
  where: string;
}

/** Runs commands for one sandbox plan (or on the host). `prepare` may create dirs, containers, etc. */
export interface ExecBackend {
  readonly name: "host" | "bwrap" | "docker";
  prepare(req: CommandRequest): Promise<PreparedCommand>;
}

export type BackendFactory = (plan: SandboxPlan) => ExecBackend;
