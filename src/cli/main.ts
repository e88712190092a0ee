import { createRequire } from "node:module";
import type { Command } from "commander";
import { PINCER_VERSION } from "../version.js";
import { registerAgentCommands } from "./agent.js";
import { registerApprovalsCommands } from "./approvals.js";
import { registerAuditCommands } from "./audit.js";
import { registerBackupCommands } from "./backup.js";
import { registerChannelCommands } from "./channels.js";
import { registerConfigCommands } from "./config.js";
import { registerCronCommands } from "./cron.js";
import { registerDoctorCommands } from "./doctor.js";
import { registerGatewayCommands } from "./gateway.js";
import { registerImportCommands } from "./import.js";
import { registerMemoryCommands } from "./memory.js";
import { registerPairingCommands } from "./pairing.js";
import { registerSecretsCommands } from "./secrets.js";
import { registerSecurityCommands } from "./security.js";
import { registerServiceCommands } from "./service.js";
import { registerSetupCommands } from "./setup.js";
import { registerSkillsCommands } from "./skills.js";
import { registerStatusCommands } from "./status.js";
import { registerUsageCommands } from "./usage.js";

// commander is CommonJS: require() skips the ESM wrapping of its files, a few ms of every `pincer` command.
const commander = createRequire(import.meta.url)("commander") as typeof import("commander");

type RegisterCommands = (program: Command) => void;

/** Every command group, in `pincer --help` order. */
const COMMAND_GROUPS: readonly RegisterCommands[] = [
  registerGatewayCommands,
  registerAgentCommands,
  registerStatusCommands,
  registerConfigCommands,
  registerApprovalsCommands,
  registerChannelCommands,
  registerPairingCommands,
  registerSetupCommands,
  registerMemoryCommands,
  registerSkillsCommands,
  registerUsageCommands,
  registerAuditCommands,
  registerSecretsCommands,
  registerDoctorCommands,
  registerSecurityCommands,
  registerBackupCommands,
  registerServiceCommands,
  registerImportCommands,
  registerCronCommands,
];

/**
 * The top-level commands each group registers (main.test.ts checks this against the groups themselves).
 * Setting up all ~20 groups' options costs ~5–10 ms, a visible share of a `pincer gateway call`.
 */
export const GROUP_OF_COMMAND: Readonly<Record<string, RegisterCommands>> = {
  gateway: registerGatewayCommands,
  agent: registerAgentCommands,
  sessions: registerAgentCommands,
  models: registerAgentCommands,
  status: registerStatusCommands,
  logs: registerStatusCommands,
  config: registerConfigCommands,
  approvals: registerApprovalsCommands,
  channels: registerChannelCommands,
  pairing: registerPairingCommands,
  setup: registerSetupCommands,
  memory: registerMemoryCommands,
  skills: registerSkillsCommands,
  usage: registerUsageCommands,
  audit: registerAuditCommands,
  secrets: registerSecretsCommands,
  doctor: registerDoctorCommands,
  security: registerSecurityCommands,
  backup: registerBackupCommands,
  service: registerServiceCommands,
  update: registerServiceCommands,
  import: registerImportCommands,
  cron: registerCronCommands,
};

/**
 * The `pincer` program. Command groups register their names and flags here (cheap); each action lazy-imports
 * what it needs, so `pincer --help` loads almost nothing. With `argv`, a run of one command sets up only the
 * group that holds it; `--help`, `--version` and unknown commands get the whole program.
 */
export function buildProgram(argv?: readonly string[]): Command {
  const program = new commander.Command("pincer")
    .description("Pincer: a light, lossless, secure-by-default AI assistant gateway (OpenClaw protocol v4)")
    .version(PINCER_VERSION, "-V, --version")
    .showHelpAfterError()
    .exitOverride();
  const name = argv?.[2];
  const only = name !== undefined && Object.hasOwn(GROUP_OF_COMMAND, name) ? GROUP_OF_COMMAND[name] : undefined;
  for (const register of only ? [only] : COMMAND_GROUPS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof commander.CommanderError) {
      // Commander already printed help or the usage error.
      if (err.exitCode !== 0) process.exitCode = err.exitCode;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    process.stderr.write(
      `pincer: ${typeof code === "string" && /^[A-Z_]+$/.test(code) ? `${code}: ` : ""}${message}\n`,
    );
    process.exitCode = 1;
  }
}
