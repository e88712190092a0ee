import { z } from "zod";

/**
 * `agents.defaults.sandbox` (and `agents.list[].sandbox`): which sessions run their tools in a sandbox and
 * what that sandbox may reach. Key names are OpenClaw's (mode, scope, backend, workspaceAccess, workspaceRoot,
 * docker.*); the limits apply to both backends.
 */
export const SandboxConfigSchema = z
  .looseObject({
    /** off: never; non-main: every session except the agent's main one (groups, strangers); all: every session. */
    mode: z.enum(["off", "non-main", "all"]).default("non-main"),
    backend: z.enum(["bwrap", "docker"]).default("bwrap"),
    /** One sandbox (workspace, container) per session, per agent, or one shared by all. */
    scope: z.enum(["session", "agent", "shared"]).default("session"),
    /** none: a private sandbox workspace; ro / rw: the agent workspace mounted read-only / read-write. */
    workspaceAccess: z.enum(["none", "ro", "rw"]).default("none"),
    /** Where private sandbox workspaces live; defaults to <stateDir>/sandboxes. */
    workspaceRoot: z.string().optional(),
    /** "none": no network at all (only a private loopback). "host": the host's network. */
    network: z.enum(["none", "host"]).default("none"),
    /** Processes (and threads) the sandboxed command may have at once. */
    pidsLimit: z.number().int().min(8).default(256),
    /** Address space per process, in MiB. */
    memoryMb: z.number().int().min(64).default(2048),
    /** Largest file the command may write, in MiB. */
    fileSizeMb: z.number().int().min(1).default(1024),
    docker: z
      .looseObject({
        image: z.string().min(1).default("debian:bookworm-slim"),
        /** Extra `docker run` flags are deliberately not configurable: the policy above is the contract. */
        containerPrefix: z.string().min(1).default("pincer-sbx-"),
      })
      .prefault({}),
  })
  .prefault({});
export type SandboxConfig = z.infer<typeof SandboxConfigSchema>;

/** Per-agent sandbox overrides: any subset of the defaults. */
export const AgentSandboxConfigSchema = z.looseObject({
  mode: z.enum(["off", "non-main", "all"]).optional(),
  backend: z.enum(["bwrap", "docker"]).optional(),
  scope: z.enum(["session", "agent", "shared"]).optional(),
  workspaceAccess: z.enum(["none", "ro", "rw"]).optional(),
  network: z.enum(["none", "host"]).optional(),
  pidsLimit: z.number().int().min(8).optional(),
  memoryMb: z.number().int().min(64).optional(),
  fileSizeMb: z.number().int().min(1).optional(),
});
export type AgentSandboxConfig = z.infer<typeof AgentSandboxConfigSchema>;
