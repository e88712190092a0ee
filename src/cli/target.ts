import { resolveBindHost } from "../gateway/auth.js";
import { type ClientOptions, GatewayClient } from "../gateway/client.js";

export interface TargetFlags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

/**
 * Where the CLI connects: --url, else PINCER_GATEWAY_URL, else the local gateway from the config file;
 * credentials from flags, then env, then the config file. Never from the URL.
 */
export async function resolveTarget(
  flags: TargetFlags,
  env = process.env,
): Promise<{ url: string; token?: string; password?: string }> {
  let token = flags.token ?? env.PINCER_GATEWAY_TOKEN;
  let password = flags.password ?? env.PINCER_GATEWAY_PASSWORD;
  let url = flags.url ?? env.PINCER_GATEWAY_URL;
  if (!url || (!token && !password)) {
    const { resolveStatePaths } = await import("../config/paths.js");
    const { loadConfig } = await import("../config/load.js");
    const snapshot = await loadConfig(resolveStatePaths(env).configPath, env);
    const gw = snapshot.config.gateway;
    if (!url) {
      const host = resolveBindHost(gw.bind);
      const connectHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
      url = `ws://${connectHost.includes(":") ? `[${connectHost}]` : connectHost}:${gw.port}`;
    }
    token ??= gw.auth.token;
    password ??= gw.auth.password;
  }
  return { url, ...(token ? { token } : {}), ...(password ? { password } : {}) };
}

export async function withClient<T>(
  flags: TargetFlags,
  fn: (client: GatewayClient) => Promise<T>,
  extra: Partial<ClientOptions> = {},
): Promise<T> {
  const target = await resolveTarget(flags);
  const timeoutMs = flags.timeout ? Number(flags.timeout) : 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new Error(`--timeout must be a positive number of milliseconds, got "${flags.timeout}"`);
  const client = await GatewayClient.connect({ ...target, timeoutMs, ...extra });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
