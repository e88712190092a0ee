import type { Command } from "commander";
import type { TargetFlags } from "./target.js";

export interface RunFlags {
  port?: string;
  bind?: string;
  auth?: string;
  token?: string;
  password?: string;
  verbose?: boolean;
}

export function registerGatewayCommands(program: Command): void {
  const gateway = program.command("gateway").description("run the gateway, or talk to a running one");

  gateway
    .command("run", { isDefault: true })
    .description("start the gateway in the foreground (default)")
    .option("--port <port>", "port to listen on (default 18789, config gateway.port)")
    .option("--bind <host>", "loopback | lan | an IP address (default loopback)")
    .option("--auth <mode>", "none | token | password")
    .option("--token <token>", "gateway token clients must present")
    .option("--password <password>", "gateway password clients must present")
    .option("--verbose", "debug logging")
    .action(async (flags: RunFlags) => {
      const { runGateway } = await import("./gateway-run.js");
      await runGateway(flags);
    });

  gateway
    .command("call <method>")
    .description("call a gateway method and print the JSON result")
    .option("--params <json>", "method params as JSON", "{}")
    .option("--url <url>", "gateway WebSocket URL (default from config)")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "connect and call timeout in ms", "10000")
    .option("--json", "print compact JSON")
    .action(async (method: string, flags: TargetFlags & { params: string; json?: boolean }) => {
      let params: unknown;
      try {
        params = JSON.parse(flags.params);
      } catch (err) {
        throw new Error(`--params is not valid JSON: ${(err as Error).message}`);
      }
      const { withClient } = await import("./target.js");
      const result = await withClient(flags, (client) => client.call(method, params));
      process.stdout.write(`${flags.json ? JSON.stringify(result) : JSON.stringify(result, null, 2)}\n`);
    });
}

export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}
