import { PincerError } from "../errors.js";
import type { AuthMode } from "../gateway/auth.js";
import { parsePort, type RunFlags } from "./gateway.js";

const AUTH_MODES = ["none", "token", "password"] as const;

export async function runGateway(flags: RunFlags): Promise<void> {
  if (flags.auth !== undefined && !(AUTH_MODES as readonly string[]).includes(flags.auth)) {
    throw new PincerError("INVALID_REQUEST", `--auth must be one of ${AUTH_MODES.join(", ")}, got "${flags.auth}"`);
  }
  const { startGateway } = await import("../gateway/server.js");
  const port = parsePort(flags.port);
  const handle = await startGateway({
    ...(port !== undefined ? { port } : {}),
    ...(flags.bind ? { bind: flags.bind } : {}),
    ...(flags.auth ? { authMode: flags.auth as AuthMode } : {}),
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.password ? { password: flags.password } : {}),
    ...(flags.verbose ? { logLevel: "debug" as const } : {}),
    prettyLogs: process.stderr.isTTY === true,
  });
  const http = handle.url.replace(/^ws/, "http");
  process.stdout.write(
    `Pincer gateway ${handle.services.version} listening on ${handle.url} (open ${http}/ in a browser)\n`,
  );
  const model = handle.services.agent?.modelStatus();
  if (model && !model.configured) process.stdout.write(`${model.hint}\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      handle.close(signal).then(resolve, resolve);
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}
