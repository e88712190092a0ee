import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Automation } from "../automation/automation.js";
import { resolveStatePaths, type StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { ConfigStore } from "../config/store.js";
import { PincerError } from "../errors.js";
import { createLogger, type LogLevel } from "../logging/logger.js";
import { AuditLog, auditDir } from "../ops/audit-log.js";
import { AuditedEventHub, AuditedMethodRegistry } from "../ops/audit-taps.js";
import { scheduleBackups } from "../ops/backup-schedule.js";
import { holdGatewayLock } from "../ops/gateway-lock.js";
import { PINCER_VERSION } from "../version.js";
import {
  AuthFailureLimiter,
  type AuthMode,
  assertBindAllowed,
  isLoopbackHost,
  resolveAuth,
  resolveBindHost,
} from "./auth.js";
import { CloseCodes, GatewayConnection } from "./connection.js";
import { createHooksHttp } from "./http/hooks.js";
import { createOpenAiHttp } from "./http/openai/router.js";
import { type HttpState, handleCoreHttp, sendJson } from "./http/routes.js";
import { type ControlUi, createControlUi, defaultUiDir } from "./http/static.js";
import { handleToolsInvoke } from "./http/tools-invoke.js";
import { handleWebChatVisitor } from "./http/webchat-visitor.js";
import { registerAgentMethods, registerChannelMethods, registerCoreMethods } from "./methods/index.js";
import { PresenceRegistry } from "./presence.js";
import type { GatewayServices } from "./services.js";

// ws is CommonJS: require() loads it in half the time an ESM import takes (Node wraps each of its files as an
// ES module otherwise), ~15 ms of the gateway's cold start.
const { WebSocketServer } = createRequire(import.meta.url)("ws") as typeof import("ws");

export interface GatewayOptions {
  env?: NodeJS.ProcessEnv;
  paths?: StatePaths;
  /** CLI overrides; they win over the config file and are never written to it. */
  port?: number;
  bind?: string;
  authMode?: AuthMode;
  token?: string;
  password?: string;
  logLevel?: LogLevel;
  prettyLogs?: boolean;
}

export interface GatewayHandle {
  host: string;
  port: number;
  url: string;
  services: GatewayServices;
  close(reason?: string): Promise<void>;
}

/** How long shutdown waits for running turns and sockets before closing them anyway. */
const SHUTDOWN_DRAIN_MS = 5_000;

export async function startGateway(opts: GatewayOptions = {}): Promise<GatewayHandle> {
  const env = opts.env ?? process.env;
  const paths = opts.paths ?? resolveStatePaths(env);
  // Loading the agent runtime's modules overlaps reading the config and opening the log file.
  const runtimeModule = import("../agent/runtime.js");
  runtimeModule.catch(() => {}); // awaited below; this only keeps an early config error from leaving it unhandled
  const config = await ConfigStore.open(paths, env);
  const cfg = config.current.config;
  const level = opts.logLevel ?? cfg.logging.level;
  const { logger: log, file: logFile } = await createLogger({
    level,
    ...(cfg.logging.consoleLevel ? { consoleLevel: cfg.logging.consoleLevel } : {}),
    logsDir: paths.logsDir,
    pretty: opts.prettyLogs ?? false,
  });

  const authConfig = structuredClone(cfg);
  if (opts.authMode) authConfig.gateway.auth.mode = opts.authMode;
  if (opts.token) authConfig.gateway.auth.token = opts.token;
  if (opts.password) authConfig.gateway.auth.password = opts.password;
  const auth = resolveAuth(authConfig, env);
  const host = resolveBindHost(opts.bind ?? cfg.gateway.bind);
  assertBindAllowed(host, auth);
  const requestedPort = opts.port ?? cfg.gateway.port;

  const shutdown = new AbortController();
  // Every event broadcast and every audited method call also lands in the hash-chained audit log.
  const audit = new AuditLog(auditDir(paths.stateDir), { log: log.child({ subsystem: "audit" }) });
  const events = new AuditedEventHub(audit);
  const methods = new AuditedMethodRegistry(audit);
  const startedAt = Date.now();
  let boundPort = requestedPort;
  const presence = new PresenceRegistry(PresenceRegistry.selfEntry(PINCER_VERSION, startedAt), (list) =>
    events.broadcast("presence", { presence: list }),
  );
  const limiter = new AuthFailureLimiter(cfg.gateway.auth.maxFailures, cfg.gateway.auth.lockoutMs);
  const services: GatewayServices = {
    version: PINCER_VERSION,
    bootId: randomUUID(),
    startedAt,
    paths,
    config,
    log,
    ...(logFile ? { logFile } : {}),
    auth,
    authLimiter: limiter,
    events,
    audit,
    presence,
    methodNames: () => methods.names(),
    address: () => ({ host, port: boundPort }),
    shutdownSignal: shutdown.signal,
    healthVersion: 1,
  };
  registerCoreMethods(methods);
  registerAgentMethods(methods);
  registerChannelMethods(methods);
  const { startAgentRuntime } = await runtimeModule;
  services.agent = await startAgentRuntime(services);
  // The channel manager (and the channel code) loads only once a channel is configured: at start, or later when a
  // config reload adds the first one.
  let channelsStarting: Promise<void> | undefined;
  const ensureChannels = async (next: PincerConfig): Promise<void> => {
    if (services.channels || Object.keys(next.channels ?? {}).length === 0) return;
    channelsStarting ??= (async () => {
      const { hasConfiguredChannels, startChannelManager } = await import("../channels/start.js");
      if (!hasConfiguredChannels(next) || shutdown.signal.aborted) return;
      services.channels = await startChannelManager({
        config: () => config.current.config,
        agent: () => services.agent,
        credentialsDir: paths.credentialsDir,
        log: log.child({ subsystem: "channels" }),
        signal: shutdown.signal,
        onChange: () => {
          services.healthVersion += 1;
        },
      });
      // A reload that landed while the manager was starting is applied now.
      if (config.current.config !== next) await services.channels.reconcile();
    })().finally(() => {
      channelsStarting = undefined;
    });
    return channelsStarting;
  };
  await ensureChannels(cfg);

  const state: HttpState = { ready: false };
  const uiDir = cfg.gateway.controlUi.enabled ? (env.PINCER_UI_DIR ?? defaultUiDir()) : undefined;
  const ui = uiDir
    ? createControlUi({
        dir: uiDir,
        embedOrigins: () => config.current.config.gateway.controlUi.allowedOrigins,
        basePath: () => config.current.config.gateway.controlUi.basePath,
      })
    : undefined;
  services.automation = new Automation({
    runtime: () => services.agent,
    channels: () => services.channels,
    config: () => config.current.config,
    cronDir: paths.cronDir,
    log: log.child({ subsystem: "automation" }),
    broadcast: (event, payload) => events.broadcast(event, payload),
    subscribe: (fn) => events.add({ scopes: new Set(), sendEvent: fn }),
    signal: shutdown.signal,
  });
  await services.automation.start();
  const apiRoutes = [createOpenAiHttp(services), createHooksHttp(services, services.automation)];
  const httpServer = createServer((req, res) => routeHttp(req, res, services, state, ui, apiRoutes));
  const wss = new WebSocketServer({ noServer: true, maxPayload: cfg.gateway.maxPayloadBytes });
  const connections = new Set<GatewayConnection>();
  const originAllowed = (origin: string, req: IncomingMessage) => isOriginAllowed(origin, req, services);

  httpServer.on("upgrade", (req, socket, head) => {
    if (shutdown.signal.aborted) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new GatewayConnection(ws, req, { services, methods, limiter, originAllowed });
      connections.add(conn);
      ws.on("close", () => connections.delete(conn));
    });
  });
  httpServer.on("clientError", (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new PincerError(
              "UNAVAILABLE",
              `port ${requestedPort} on ${host} is already in use: stop the other process or pass --port`,
            )
          : err,
      );
    });
    httpServer.listen(requestedPort, host, () => resolve());
  });
  boundPort = (httpServer.address() as AddressInfo).port;
  state.ready = true;

  const tick = setInterval(() => events.broadcast("tick", { ts: Date.now() }), cfg.gateway.tickIntervalMs);
  tick.unref();

  config.onChange((next, prev, plan) => {
    void audit.record("config.change", {
      hash: next.hash,
      prevHash: prev.hash,
      changed: plan.changedPaths,
      restart: plan.restart,
    });
    log.level = opts.logLevel ?? next.config.logging.level;
    services.agent?.updateConfig(next.config);
    const applyChannels = services.channels ? services.channels.reconcile() : ensureChannels(next.config);
    void applyChannels.catch((err) => log.error({ err }, "applying channel config failed"));
    services.healthVersion += 1;
    log.info({ changed: plan.changedPaths, restart: plan.restart }, "config reloaded");
    if (plan.restart.length > 0) {
      log.warn({ paths: plan.restart }, "these config changes take effect after a gateway restart");
    }
    events.broadcast("config.changed", {
      hash: next.hash,
      changedPaths: plan.changedPaths,
      restartRequired: plan.restart.length > 0,
    });
  });
  config.onError((err) => log.error({ err: err.message }, "config reload failed; keeping the last good config"));
  if (cfg.gateway.reload.mode !== "off") config.watch(shutdown.signal);

  const url = `ws://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;
  log.info({ url, authMode: auth.mode, stateDir: paths.stateDir }, "gateway listening");
  void audit.record("gateway.start", { version: PINCER_VERSION, pid: process.pid, url, authMode: auth.mode });
  // Tells `pincer backup restore`, `import` and `doctor` that this state folder is in use.
  const stateLock = await holdGatewayLock(paths.stateDir, {
    pid: process.pid,
    port: boundPort,
    host,
    startedAt,
    version: PINCER_VERSION,
  }).catch((err) => {
    log.warn(
      { err: (err as Error).message },
      "another gateway seems to serve this state folder; running two on one folder risks its data",
    );
    return undefined;
  });
  scheduleBackups(
    {
      config: () => config.current.config.backup,
      paths,
      log: log.child({ subsystem: "backup" }),
      record: (type, data) => void audit.record(type, data),
    },
    shutdown.signal,
  );

  let closing: Promise<void> | undefined;
  const close = (reason = "shutdown") => {
    closing ??= (async () => {
      log.info({ reason }, "gateway shutting down");
      state.ready = false;
      clearInterval(tick);
      events.broadcast("shutdown", { reason });
      shutdown.abort();
      await services.channels?.stop();
      await services.agent?.stop(SHUTDOWN_DRAIN_MS);
      // Background processes, pending approvals, MCP servers and the browser stop with the gateway.
      await (await import("../tools/tool-host.js")).closeToolHost(services);
      for (const conn of connections) conn.close(CloseCodes.GOING_AWAY, "gateway shutting down");
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          httpServer.closeAllConnections();
          resolve();
        }, SHUTDOWN_DRAIN_MS);
        force.unref();
        wss.close();
        httpServer.close(() => {
          clearTimeout(force);
          resolve();
        });
        httpServer.closeIdleConnections();
      });
      await audit.record("gateway.stop", { reason });
      await stateLock?.release();
      await new Promise<void>((resolve) => log.flush(() => resolve()));
    })();
    return closing;
  };

  return { host, port: boundPort, url, services, close };
}

function routeHttp(
  req: IncomingMessage,
  res: ServerResponse,
  services: GatewayServices,
  state: HttpState,
  ui: ControlUi | undefined,
  apiRoutes: ((req: IncomingMessage, res: ServerResponse) => boolean)[] = [],
): void {
  try {
    // OpenAI-compatible API and webhooks: before the Control UI, whose SPA fallback would answer any path.
    for (const route of apiRoutes) if (route(req, res)) return;
    if (handleWebChatVisitor(req, res, services, (origin) => isOriginAllowed(origin, req, services))) return;
    if (handleToolsInvoke(req, res, services)) return;
    // Channel webhooks (Slack Events API, Telegram) on the gateway port; each checks its own signature/secret.
    if (services.channels?.handleHttp(req, res)) return;
    // The built Control UI owns `/` and its own paths, or everything below gateway.controlUi.basePath; the
    // status page answers `/` when the UI was not built or lives under a base path.
    if (ui?.handle(req, res)) return;
    if (handleCoreHttp(req, res, services, state)) return;
    sendJson(res, 404, { ok: false, error: { code: "NOT_FOUND", message: `no route for ${req.method} ${req.url}` } });
  } catch (err) {
    services.log.error({ err }, "http handler failed");
    if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: "INTERNAL", message: "internal error" } });
  }
}

/**
 * A browser may open the WebSocket only from the gateway's own origin, a loopback origin when the gateway is on
 * loopback, or an origin listed in gateway.controlUi.allowedOrigins. Stops other web pages from driving it.
 */
export function isOriginAllowed(origin: string, req: IncomingMessage, services: GatewayServices): boolean {
  const allowed = services.config.current.config.gateway.controlUi.allowedOrigins;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (req.headers.host && parsed.host === req.headers.host) return true;
  return isLoopbackHost(services.address().host) && isLoopbackHost(parsed.hostname);
}
