import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { resolveBindHost } from "../gateway/auth.js";
import { type ClientOptions, GatewayClient } from "../gateway/client.js";

export interface TargetFlags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

/** What the CLI needs from the config to reach the local gateway. */
export interface GatewayTargetConfig {
  port: number;
  bind: string;
  token?: string;
  password?: string;
}

/**
 * The config schema's default gateway.port (config/schema.ts DEFAULT_PORT; a test holds them together), written
 * here because importing the schema loads zod.
 */
export const DEFAULT_GATEWAY_PORT = 18789;

/** Text that only the full loader can handle: includes, ${VAR} substitution, keys it rejects. */
const NEEDS_FULL_LOADER = ["$include", "${", "__proto__"];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads gateway.port / bind / auth.token / auth.password from a plain config file without the config loader
 * (zod, the schema, $include and SecretRef resolution: most of what `pincer gateway call` would otherwise
 * spend). Returns undefined whenever it cannot be sure the full loader would read the same values without
 * error (includes, ${VAR}, a SecretRef or a wrong type in what it reads, a syntax error, an unreadable file),
 * so the caller runs the full loader and the user sees its exact result and errors.
 * Sections the CLI does not read are not validated here.
 */
export async function readGatewayTargetFast(configPath: string): Promise<GatewayTargetConfig | undefined> {
  let raw: string;
  try {
    raw = await readFile(configPath, "utf8");
  } catch (err) {
    // A missing file is the all-defaults config, as for the full loader.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { port: DEFAULT_GATEWAY_PORT, bind: "loopback" };
    return undefined;
  }
  if (raw.trim() === "" || NEEDS_FULL_LOADER.some((s) => raw.includes(s))) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    try {
      // json5 is CommonJS and small (~2 ms); only configs that are not strict JSON need it.
      doc = (createRequire(import.meta.url)("json5") as typeof import("json5")).parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!isPlainObject(doc)) return undefined;
  const gw = doc.gateway ?? {};
  if (!isPlainObject(gw)) return undefined;
  const port = gw.port ?? DEFAULT_GATEWAY_PORT;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  const bind = gw.bind ?? "loopback";
  if (typeof bind !== "string" || bind.length === 0) return undefined;
  const auth = gw.auth ?? {};
  if (!isPlainObject(auth)) return undefined;
  const { token, password } = auth;
  if (token !== undefined && typeof token !== "string") return undefined;
  if (password !== undefined && typeof password !== "string") return undefined;
  return { port, bind, ...(token !== undefined ? { token } : {}), ...(password !== undefined ? { password } : {}) };
}

/** Validated, secrets resolved: the full config loader, for configs the fast read cannot vouch for. */
async function readGatewayTargetFull(configPath: string, env: NodeJS.ProcessEnv): Promise<GatewayTargetConfig> {
  const { loadConfig } = await import("../config/load.js");
  const gw = (await loadConfig(configPath, env)).config.gateway;
  return {
    port: gw.port,
    bind: gw.bind,
    ...(gw.auth.token !== undefined ? { token: gw.auth.token } : {}),
    ...(gw.auth.password !== undefined ? { password: gw.auth.password } : {}),
  };
}

/** The URL a client on this machine uses for a gateway bound as `bind`. */
export function localGatewayUrl(bind: string, port: number): string {
  const host = resolveBindHost(bind);
  const connectHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `ws://${connectHost.includes(":") ? `[${connectHost}]` : connectHost}:${port}`;
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
    const configPath = resolveStatePaths(env).configPath;
    const gw = (await readGatewayTargetFast(configPath)) ?? (await readGatewayTargetFull(configPath, env));
    if (!url) url = localGatewayUrl(gw.bind, gw.port);
    token ??= gw.token;
    password ??= gw.password;
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
