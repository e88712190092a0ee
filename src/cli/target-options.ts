import type { Command } from "commander";

/** The flags every command that talks to a running gateway takes. Kept apart from target.ts so --help stays light. */
export function targetOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway WebSocket URL (default from config)")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "timeout in ms", "10000");
}
