import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveStatePaths, type StatePaths } from "../config/paths.js";
import { AuditLog, auditDir } from "./audit-log.js";
import { runDoctor } from "./doctor.js";

let root: string;
let paths: StatePaths;
let env: NodeJS.ProcessEnv;
const servers: { close(cb?: () => void): unknown }[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pincer-doctor-"));
  env = { HOME: root, PINCER_STATE_DIR: join(root, "state"), PATH: process.env.PATH };
  paths = resolveStatePaths(env);
  mkdirSync(paths.credentialsDir, { recursive: true, mode: 0o700 });
  chmodSync(paths.stateDir, 0o700);
});
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(() => r(undefined)));
  rmSync(root, { recursive: true, force: true });
});

const writeConfig = (config: unknown, mode = 0o600) =>
  writeFileSync(paths.configPath, JSON.stringify(config), { mode });
const ids = (report: Awaited<ReturnType<typeof runDoctor>>) => report.findings.map((f) => f.id);
const freePortConfig = (extra: Record<string, unknown> = {}) => ({ gateway: { port: 0 }, ...extra });

describe("pincer doctor", () => {
  it("finds credentials and a config with secrets open to others, and --fix closes them", async () => {
    writeConfig(freePortConfig({ gateway: { port: 0, auth: { token: "a-token-that-is-long-enough-1234" } } }), 0o644);
    writeFileSync(join(paths.credentialsDir, "telegram-pairing.json"), "{}", { mode: 0o644 });
    const report = await runDoctor(paths, env, { offline: true });
    expect(report.ok).toBe(false);
    const perms = report.findings.filter((f) => f.id.startsWith("perm."));
    expect(perms.map((f) => `${f.severity}:${f.id}`).sort()).toEqual([
      "critical:perm.config",
      "critical:perm.credentials",
    ]);
    expect(perms[0]?.fix).toMatch(/chmod 600 .* \(or run with --fix\)/);
    const fixed = await runDoctor(paths, env, { offline: true, fix: true });
    expect(fixed.findings.filter((f) => f.id.startsWith("perm.")).every((f) => f.fixed === true)).toBe(true);
    expect(statSync(paths.configPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(paths.credentialsDir, "telegram-pairing.json")).mode & 0o777).toBe(0o600);
    expect(ids(await runDoctor(paths, env, { offline: true })).filter((id) => id.startsWith("perm."))).toEqual([]);
  });

  it("an invalid config is an error naming the field", async () => {
    writeConfig({ gateway: { port: "eighty" } });
    const report = await runDoctor(paths, env, { offline: true });
    expect(report.ok).toBe(false);
    expect(report.findings[0]).toMatchObject({
      id: "config.invalid",
      severity: "error",
      detail: expect.stringContaining("gateway.port"),
    });
  });

  it("a port taken by another program is an error", async () => {
    const blocker = createTcpServer();
    servers.push(blocker);
    const port = await new Promise<number>((r) =>
      blocker.listen(0, "127.0.0.1", () => r((blocker.address() as { port: number }).port)),
    );
    writeConfig({ gateway: { port } });
    const report = await runDoctor(paths, env, { offline: true });
    expect(report.findings.find((f) => f.id === "port.in-use")?.title).toBe(
      `port ${port} on 127.0.0.1 is taken by another program`,
    );
    expect(report.ok).toBe(false);
  });

  it("probes providers: a rejected key is an error, an unreachable server a warning, a good key passes", async () => {
    const api: Server = createServer((req, res) => {
      const ok = req.headers.authorization === "Bearer good-key";
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
      res.end(ok ? '{"data":[]}' : '{"error":{"message":"bad key"}}');
    });
    servers.push(api);
    const port = await new Promise<number>((r) =>
      api.listen(0, "127.0.0.1", () => r((api.address() as { port: number }).port)),
    );
    const closed = createTcpServer();
    const closedPort = await new Promise<number>((r) =>
      closed.listen(0, "127.0.0.1", () => r((closed.address() as { port: number }).port)),
    );
    await new Promise((r) => closed.close(r));
    writeConfig(
      freePortConfig({
        models: {
          mode: "replace",
          providers: {
            good: { baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: "good-key", models: [] },
            bad: { baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: ["good-key", "revoked-key"], models: [] },
            gone: { baseUrl: `http://127.0.0.1:${closedPort}/v1`, apiKey: "k", models: [] },
          },
        },
      }),
    );
    const report = await runDoctor(paths, env);
    const providers = report.findings.filter((f) => f.id.startsWith("provider."));
    expect(providers.map((f) => `${f.id} ${f.title}`).sort()).toEqual([
      "provider.key-rejected provider bad (key 2 of 2) rejects its API key (HTTP 401)",
      `provider.unreachable provider gone is unreachable at http://127.0.0.1:${closedPort}`,
    ]);
  });

  it("checks channel credentials are present and look right", async () => {
    writeConfig(freePortConfig({ channels: { telegram: { accounts: { a: { botToken: "not-a-token" }, b: {} } } } }));
    const report = await runDoctor(paths, env, { offline: true });
    const channel = report.findings.filter((f) => f.id.startsWith("channel."));
    expect(channel.map((f) => `${f.severity} ${f.title}`)).toEqual([
      "error channels.telegram.accounts.b.botToken is not set",
      "warn channels.telegram.accounts.a.botToken does not look like the token @BotFather gave you (123456:ABC…)",
    ]);
  });

  it("reports an audit log that fails verification", async () => {
    writeConfig(freePortConfig());
    const log = new AuditLog(auditDir(paths.stateDir));
    await log.record("a", {});
    await log.record("b", {});
    writeFileSync(join(auditDir(paths.stateDir), "head.json"), JSON.stringify({ seq: 9, hash: "x" }));
    const report = await runDoctor(paths, env, { offline: true });
    expect(report.findings.find((f) => f.id === "audit.tampered")?.detail).toMatch(/entries were removed from the end/);
  });
});
