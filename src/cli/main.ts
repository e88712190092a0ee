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

/**
 * The `pincer` program. Command groups register their names and flags here (cheap); each action lazy-imports
 * what it needs, so `pincer --help` loads almost nothing.
 */
export function buildProgram(): Command {
  const program = new commander.Command("pincer")
    .description("Pincer: a light, lossless, secure-by-default AI assistant gateway (OpenClaw protocol v4)")
    .version(PINCER_VERSION, "-V, --version")
    .showHelpAfterError()
    .exitOverride();
  registerGatewayCommands(program);
  registerAgentCommands(program);
  registerStatusCommands(program);
  registerConfigCommands(program);
  registerApprovalsCommands(program);
  registerChannelCommands(program);
  registerPairingCommands(program);
  registerSetupCommands(program);
  registerMemoryCommands(program);
  registerSkillsCommands(program);
  registerUsageCommands(program);
  registerAuditCommands(program);
  registerSecretsCommands(program);
  registerDoctorCommands(program);
  registerSecurityCommands(program);
  registerBackupCommands(program);
  registerServiceCommands(program);
  registerImportCommands(program);
  registerCronCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
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
