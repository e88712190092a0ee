import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import type { PincerConfig } from "../config/schema.js";
import { resolveBindHost } from "../gateway/auth.js";
import type { Finding } from "./findings.js";
import { readGatewayLock } from "./gateway-lock.js";
import { channelAccounts } from "./security-audit.js";

/** Doctor checks that look outside the state folder: providers, the port, sandbox and browser binaries, channels. */

/** A provider that takes longer than this to list its models is reported as unreachable. */
const PROBE_TIMEOUT_MS = 5_000;

const DEFAULT_BASE: Record<string, string> = {
  "openai-completions": "https://api.openai.com/v1",
  "openai-responses": "https://api.openai.com/v1",
  "anthropic-messages": "https://api.anthropic.com/v1",
  "google-generative-ai": "https://generativelanguage.googleapis.com/v1beta",
};

const trim = (u: string) => u.replace(/\/+$/, "");

/** The cheapest authenticated request each API offers: list models. */
function listRequest(
  api: string,
  baseUrl: string | undefined,
  key: string | undefined,
): { url: string; headers: Record<string, string> } {
  switch (api) {
    case "anthropic-messages": {
      const base = trim(baseUrl ?? DEFAULT_BASE[api] ?? "");
      const root = /\/v\d+$/.test(base) ? base : `${base}/v1`;
      return {
        url: `${root}/models`,
        headers: { ...(key ? { "x-api-key": key } : {}), "anthropic-version": "2023-06-01" },
      };
    }
    case "google-generative-ai":
      return {
        url: `${trim(baseUrl ?? DEFAULT_BASE[api] ?? "")}/models`,
        headers: key ? { "x-goog-api-key": key } : {},
      };
    case "ollama": {
      const base = trim(baseUrl ?? "http://127.0.0.1:11434");
      return { url: `${base.endsWith("/api") ? base : `${base}/api`}/tags`, headers: {} };
    }
    default:
      return {
        url: `${trim(baseUrl ?? DEFAULT_BASE[api] ?? "")}/models`,
        headers: key ? { authorization: `Bearer ${key}` } : {},
      };
  }
}

export function providerCheck(config: PincerConfig, env: NodeJS.ProcessEnv) {
  return async (): Promise<Finding[]> => {
    const { resolveProviders } = await import("../models/catalog.js");
    const findings: Finding[] = [];
    for (const p of resolveProviders(config, env).values()) {
      const configured = Object.hasOwn(config.models.providers, p.id);
      if (!configured && p.apiKeys.length === 0) continue;
      if (!p.keyless && p.apiKeys.length === 0) {
        findings.push({
          id: "provider.no-key",
          severity: "error",
          title: `provider ${p.id} has no API key`,
          fix: p.envKeys.length
            ? `set ${p.envKeys.join(" or ")}, or models.providers.${p.id}.apiKey`
            : `set models.providers.${p.id}.apiKey`,
        });
        continue;
      }
      const keys = p.apiKeys.length > 0 ? p.apiKeys : [undefined];
      for (const [i, key] of keys.entries()) {
        const label = keys.length > 1 ? `provider ${p.id} (key ${i + 1} of ${keys.length})` : `provider ${p.id}`;
        const req = listRequest(p.api, p.baseUrl, key);
        let status: number;
        try {
          const res = await fetch(req.url, {
            headers: { ...p.headers, ...req.headers },
            signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
          });
          status = res.status;
          await res.body?.cancel();
        } catch (err) {
          findings.push({
            id: "provider.unreachable",
            severity: "warn",
            title: `${label} is unreachable at ${new URL(req.url).origin}`,
            detail:
              (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message,
            fix: `check the network, or models.providers.${p.id}.baseUrl`,
          });
          continue;
        }
        if (status === 401 || status === 403) {
          findings.push({
            id: "provider.key-rejected",
            severity: "error",
            title: `${label} rejects its API key (HTTP ${status})`,
            fix: `replace the key (models.providers.${p.id}.apiKey${p.envKeys.length ? ` or ${p.envKeys[0]}` : ""})`,
          });
        } else if (status >= 400 && status !== 404) {
          findings.push({
            id: "provider.error",
            severity: "warn",
            title: `${label} answered HTTP ${status} to a model listing`,
          });
        }
      }
    }
    return findings;
  };
}

/** Whether the configured port is free, used by this state folder's gateway, or taken by something else. */
export function portCheck(config: PincerConfig, stateDir: string) {
  return async (): Promise<Finding[]> => {
    const host = resolveBindHost(config.gateway.bind);
    const port = config.gateway.port;
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
    if (free) return [];
    const lock = await readGatewayLock(stateDir);
    if (lock.state === "running" && lock.lock.port === port) return [];
    const finding: Finding = {
      id: "port.in-use",
      severity: "error",
      title: `port ${port} on ${host} is taken by another program`,
      fix: "stop that program, or set gateway.port (or pass --port)",
    };
    if (lock.state === "running")
      finding.detail = `this state folder's gateway (pid ${lock.lock.pid}) listens on ${lock.lock.port}`;
    return [finding];
  };
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    const ok = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  return undefined;
}

function runs(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: PROBE_TIMEOUT_MS }, (err) => resolve(!err));
  });
}

export function sandboxCheck(config: PincerConfig, env: NodeJS.ProcessEnv) {
  return async (): Promise<Finding[]> => {
    const modes = [config.agents.defaults.sandbox.mode, ...config.agents.list.map((a) => a.sandbox?.mode)];
    if (!modes.some((m) => m !== undefined && m !== "off")) return [];
    const backend = config.agents.defaults.sandbox.backend;
    if (backend === "bwrap") {
      if (process.platform !== "linux") {
        return [
          {
            id: "sandbox.unsupported",
            severity: "error",
            title: "the bwrap sandbox runs on Linux only",
            fix: 'set agents.defaults.sandbox.backend to "docker"',
          },
        ];
      }
      const bin = await onPath("bwrap", env);
      if (!bin)
        return [
          {
            id: "sandbox.missing",
            severity: "error",
            title: "bubblewrap (bwrap) is not installed, so sandboxed sessions cannot run tools",
            fix: "apt-get install bubblewrap (or your distribution's package)",
          },
        ];
      if (!(await runs(bin, ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"]))) {
        return [
          {
            id: "sandbox.broken",
            severity: "error",
            title: "bwrap is installed but cannot create a sandbox here",
            fix: "enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)",
          },
        ];
      }
      return [];
    }
    const docker = await onPath("docker", env);
    if (!docker || !(await runs(docker, ["version", "--format", "{{.Server.Version}}"]))) {
      return [
        {
          id: "sandbox.missing",
          severity: "error",
          title: "the docker sandbox backend is configured but no Docker engine answers",
          fix: "start Docker, or set agents.defaults.sandbox.backend to bwrap",
        },
      ];
    }
    return [];
  };
}

const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

export function chromiumCheck(config: PincerConfig, env: NodeJS.ProcessEnv) {
  return async (): Promise<Finding[]> => {
    const browser = (config.browser ?? {}) as { enabled?: boolean; executablePath?: string };
    if (browser.enabled === false) return [];
    if (browser.executablePath) {
      const ok = await access(browser.executablePath, constants.X_OK).then(
        () => true,
        () => false,
      );
      return ok
        ? []
        : [
            {
              id: "browser.missing",
              severity: "warn",
              title: `browser.executablePath ${browser.executablePath} is not an executable`,
              fix: "fix the path, or install chromium",
            },
          ];
    }
    for (const name of CHROMIUM_NAMES) if (await onPath(name, env)) return [];
    return [
      {
        id: "browser.missing",
        severity: "info",
        title: "no Chromium found, so the browser tool is unavailable",
        fix: "apt-get install chromium, or set browser.executablePath (browser.enabled: false hides this)",
      },
    ];
  };
}

/** Credentials each built-in channel cannot start without, and the shape a valid one has. */
const REQUIRED: Record<string, { field: string; pattern?: RegExp; hint: string }[]> = {
  telegram: [
    { field: "botToken", pattern: /^\d+:[A-Za-z0-9_-]{20,}$/, hint: "the token @BotFather gave you (123456:ABC…)" },
  ],
  discord: [
    {
      field: "token",
      pattern: /^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/,
      hint: "the bot token from the Discord developer portal",
    },
  ],
  slack: [
    { field: "botToken", pattern: /^xoxb-/, hint: "the bot token (xoxb-…)" },
    { field: "appToken", pattern: /^xapp-/, hint: "the app-level token for socket mode (xapp-…)" },
  ],
  irc: [
    { field: "host", hint: "the IRC server host" },
    { field: "nick", hint: "the bot's nick" },
  ],
};

export function channelCredentialsCheck(config: PincerConfig) {
  return async (): Promise<Finding[]> => {
    const findings: Finding[] = [];
    for (const a of channelAccounts(config)) {
      for (const need of REQUIRED[a.channel] ?? []) {
        if (a.channel === "slack" && need.field === "appToken" && a.cfg.mode === "http") continue;
        const where = `channels.${a.channel}${a.accountId === "default" ? "" : `.accounts.${a.accountId}`}.${need.field}`;
        const value = a.cfg[need.field];
        if (typeof value !== "string" || value === "") {
          findings.push({
            id: "channel.credentials-missing",
            severity: "error",
            title: `${where} is not set`,
            fix: `set it to ${need.hint}`,
          });
        } else if (need.pattern && !need.pattern.test(value)) {
          findings.push({
            id: "channel.credentials-malformed",
            severity: "warn",
            title: `${where} does not look like ${need.hint}`,
            fix: "check for a truncated paste or the wrong kind of token",
          });
        }
      }
    }
    return findings;
  };
}
