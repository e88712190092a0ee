import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { PincerError } from "../errors.js";
import type { CommandRequest, ExecBackend, PreparedCommand } from "./backend.js";
import { findExecutable } from "./bwrap.js";
import { SANDBOX_WORKSPACE_DIR, type SandboxPlan } from "./plan.js";

const MIB = 1024 * 1024;
/** How long docker CLI housekeeping calls (inspect, run -d) may take. */
const DOCKER_CALL_TIMEOUT_MS = 60_000;

/**
 * Docker sandbox with the same policy as bwrap: one long-lived container per sandbox id (per session or per
 * agent, by scope), no network unless network is "host", the workspace at /workspace (read-only for "ro"), a
 * read-only root with a private /tmp, all capabilities dropped, no-new-privileges, and pids, memory and file
 * size limits. Each command is a `docker exec` wrapped in `timeout`, because killing the docker client does not
 * stop a process inside the container.
 */
export class DockerBackend implements ExecBackend {
  readonly name = "docker" as const;

  constructor(private readonly plan: SandboxPlan) {}

  get containerName(): string {
    return `${this.plan.docker.containerPrefix}${this.plan.id}`;
  }

  async prepare(req: CommandRequest): Promise<PreparedCommand> {
    const docker = findExecutable("docker");
    if (!docker) {
      throw new PincerError(
        "UNAVAILABLE",
        "this session's sandbox backend is docker but the docker CLI is not installed; install Docker or set agents.defaults.sandbox.backend to bwrap",
      );
    }
    await this.ensureContainer(docker);
    const seconds = Math.max(1, Math.ceil(req.timeoutMs / 1000));
    const env = {
      HOME: SANDBOX_WORKSPACE_DIR,
      TERM: "dumb",
      PINCER_SHELL: "exec",
      PINCER_SANDBOX: "docker",
      ...req.env,
    };
    return {
      argv: [
        docker,
        "exec",
        "-w",
        req.cwd,
        ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
        this.containerName,
        ...(req.timeoutMs > 0 ? ["timeout", "-s", "KILL", String(seconds)] : []),
        "/bin/sh",
        "-c",
        req.command,
      ],
      cwd: "/",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      where: `sandbox ${this.plan.id} (docker ${this.plan.docker.image}, network ${this.plan.network})`,
    };
  }

  /** Runs the sandbox container unless it already runs; its flags are the whole isolation policy. */
  private async ensureContainer(docker: string): Promise<void> {
    const running = await dockerCall(docker, ["inspect", "-f", "{{.State.Running}}", this.containerName]).then(
      (out) => out.trim() === "true",
      () => false,
    );
    if (running) return;
    await dockerCall(docker, ["rm", "-f", this.containerName]).catch(() => undefined);
    await mkdir(this.plan.hostWorkspace, { recursive: true });
    await dockerCall(docker, dockerRunArgs(this.plan, this.containerName));
  }

  /** Removes the container (gateway shutdown or sandbox recreate). */
  async remove(): Promise<void> {
    const docker = findExecutable("docker");
    if (docker) await dockerCall(docker, ["rm", "-f", this.containerName]).catch(() => undefined);
  }
}

export function dockerRunArgs(plan: SandboxPlan, name: string): string[] {
  return [
    "run",
    "-d",
    "--name",
    name,
    "--label",
    "pincer.sandbox=1",
    "--network",
    plan.network === "host" ? "host" : "none",
    "--pids-limit",
    String(plan.pidsLimit),
    "--memory",
    `${plan.memoryMb}m`,
    "--ulimit",
    `fsize=${plan.fileSizeMb * MIB}`,
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--read-only",
    "--tmpfs",
    "/tmp",
    "-v",
    `${plan.hostWorkspace}:${SANDBOX_WORKSPACE_DIR}${plan.workspaceAccess === "ro" ? ":ro" : ""}`,
    "-w",
    SANDBOX_WORKSPACE_DIR,
    plan.docker.image,
    "sleep",
    "infinity",
  ];
}

/** Whether a Docker engine answers (the CLI alone is not enough). */
export async function dockerEngineAvailable(): Promise<boolean> {
  const docker = findExecutable("docker");
  if (!docker) return false;
  return dockerCall(docker, ["info", "--format", "{{.ServerVersion}}"]).then(
    () => true,
    () => false,
  );
}

function dockerCall(docker: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(docker, args, { timeout: DOCKER_CALL_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new PincerError(
            "UNAVAILABLE",
            `docker ${args[0]} failed: ${(stderr || err.message).trim().split("\n")[0]} (is the Docker engine running?)`,
          ),
        );
      } else resolve(stdout);
    });
  });
}
