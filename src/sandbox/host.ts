import type { CommandRequest, ExecBackend, PreparedCommand } from "./backend.js";
import { commandShell, hostBaseEnv } from "./env.js";

/** Runs commands directly on the gateway host (main sessions, elevated exec). No isolation: policy and approvals guard it. */
export class HostBackend implements ExecBackend {
  readonly name = "host" as const;

  constructor(private readonly pathPrepend: readonly string[] = []) {}

  async prepare(req: CommandRequest): Promise<PreparedCommand> {
    return {
      argv: [commandShell(), "-c", req.command],
      cwd: req.cwd,
      env: { ...hostBaseEnv(this.pathPrepend), ...req.env },
      where: "host",
    };
  }
}
