import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installService, type ServiceInputs, serviceSpec, serviceStatus, uninstallService } from "./service.js";
import { updatePincer } from "./update.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pincer-service-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const inputs = (over: Partial<ServiceInputs> = {}): ServiceInputs => ({
  platform: "linux",
  home: root,
  nodePath: "/opt/node 20/bin/node",
  binPath: "/opt/pincer/bin/pincer.js",
  stateDir: join(root, ".pincer"),
  logsDir: join(root, ".pincer", "logs"),
  env: { PATH: "/usr/bin:/bin", PINCER_VAULT_KEY: "secret-key-never-written", PINCER_CONFIG_PATH: "/etc/pincer.json" },
  ...over,
});

describe("service files", () => {
  it("a systemd user unit restarts on failure, quotes paths and never carries the vault key", () => {
    const spec = serviceSpec(inputs());
    expect(spec.file).toBe(join(root, ".config/systemd/user/pincer-gateway.service"));
    expect(spec.content).toContain('ExecStart="/opt/node 20/bin/node" "/opt/pincer/bin/pincer.js" "gateway"');
    expect(spec.content).toContain("Restart=on-failure\nRestartSec=5");
    expect(spec.content).toContain(`Environment="PINCER_STATE_DIR=${join(root, ".pincer")}"`);
    expect(spec.content).toContain('Environment="PINCER_CONFIG_PATH=/etc/pincer.json"');
    expect(spec.content).toContain("WantedBy=default.target");
    expect(spec.content).not.toContain("secret-key-never-written");
  });

  it("a launchd agent keeps the gateway alive after a failure, with XML escaped", () => {
    const spec = serviceSpec(inputs({ platform: "darwin", stateDir: "/Users/a&b/.pincer" }));
    expect(spec.file).toBe(join(root, "Library/LaunchAgents/ai.pincer.pincer-gateway.plist"));
    expect(spec.content).toMatch(/<key>KeepAlive<\/key>\s*<dict>\s*<key>SuccessfulExit<\/key>\s*<false\/>/);
    expect(spec.content).toContain("<string>/Users/a&amp;b/.pincer</string>");
    expect(spec.content).not.toContain("secret-key-never-written");
  });

  it("rejects bad names and unsupported platforms", () => {
    expect(() => serviceSpec(inputs({ name: "../evil" }))).toThrow(/not a service name/);
    expect(() => serviceSpec(inputs({ platform: "win32" }))).toThrow(/supports Linux \(systemd\) and macOS/);
  });

  it("install writes the unit, status reads it back, uninstall removes it", async () => {
    const spec = serviceSpec(inputs({ name: "pincer-test" }));
    expect((await serviceStatus(spec)).installed).toBe(false);
    expect(await installService(spec, { start: false })).toEqual({ spec, started: false });
    expect(readFileSync(spec.file, "utf8")).toBe(spec.content);
    const status = await serviceStatus(spec);
    expect(status).toMatchObject({ installed: true, outdated: false, name: "pincer-test" });
    const moved = await serviceStatus(serviceSpec(inputs({ name: "pincer-test", binPath: "/elsewhere/pincer.js" })));
    expect(moved.outdated).toBe(true);
    expect((await uninstallService(spec)).removed).toBe(true);
    expect(existsSync(spec.file)).toBe(false);
  });
});

/**
 * npm stands in for the registry (which has no test package to install): this script "installs" a pincer
 * whose behaviour depends on the version asked for, and logs every call.
 */
function fakeNpm(): { npm: string; calls: () => string[] } {
  const prefix = join(root, "prefix");
  const log = join(root, "npm.log");
  const npm = join(root, "npm");
  writeFileSync(
    npm,
    `#!${process.execPath}
const fs = require("fs"), path = require("path");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, args.join(" ") + "\\n");
if (args[0] === "prefix") { console.log(${JSON.stringify(prefix)}); process.exit(0); }
const spec = args[args.length - 1];
const version = spec.slice(spec.lastIndexOf("@") + 1);
if (version === "missing") { console.error("npm ERR! 404 No matching version"); process.exit(1); }
fs.mkdirSync(path.join(${JSON.stringify(prefix)}, "bin"), { recursive: true });
const bin = path.join(${JSON.stringify(prefix)}, "bin", "pincer");
const body = version === "6.6.6"
  ? "process.stderr.write('SyntaxError: broken build'); process.exit(1);"
  : version === "7.7.7"
    ? "const a = process.argv[2]; if (a === '--version') console.log('7.7.7'); else console.log(JSON.stringify({ findings: [{ id: 'config.invalid', detail: 'agents.defaults.model: unknown key' }] }));"
    : "const a = process.argv[2]; if (a === '--version') console.log(" + JSON.stringify(version === "latest" ? "9.9.9" : version) + "); else console.log(JSON.stringify({ ok: true, findings: [] }));";
fs.writeFileSync(bin, "#!${process.execPath}\\n" + body);
fs.chmodSync(bin, 0o755);
`,
  );
  chmodSync(npm, 0o755);
  return { npm, calls: () => readFileSync(log, "utf8").trim().split("\n") };
}

describe("pincer update", () => {
  const run = (to: string, extra: Partial<Parameters<typeof updatePincer>[1]> = {}) => {
    const { npm, calls } = fakeNpm();
    const lines: string[] = [];
    const order: string[] = [];
    const result = updatePincer(
      { packageName: "pincer", to, currentVersion: "0.1.0" },
      {
        npm,
        env: { PATH: process.env.PATH },
        log: (l) => lines.push(l),
        backup: async () => {
          order.push("backup");
          return "/backups/pincer-backup-x.tar.gz";
        },
        ...extra,
      },
    );
    return { result, calls, lines, order };
  };

  it("backs up, installs, and keeps a healthy new version", async () => {
    const r = run("latest");
    expect(await r.result).toEqual({
      ok: true,
      from: "0.1.0",
      to: "9.9.9",
      backup: "/backups/pincer-backup-x.tar.gz",
      rolledBack: false,
    });
    expect(r.order).toEqual(["backup"]);
    expect(r.calls()[0]).toBe("install -g --no-audit --no-fund pincer@latest");
    expect(r.lines.at(-1)).toBe("Updated 0.1.0 → 9.9.9.");
  });

  it("rolls back when the new version does not start", async () => {
    const r = run("6.6.6");
    const result = await r.result;
    expect(result).toMatchObject({
      ok: false,
      rolledBack: true,
      problem: expect.stringMatching(/does not start: SyntaxError: broken build/),
    });
    expect(
      r
        .calls()
        .filter((c) => c.startsWith("install"))
        .at(-1),
    ).toBe("install -g --no-audit --no-fund pincer@0.1.0");
  });

  it("rolls back when the new version cannot load this config, or the service does not come back", async () => {
    const r = run("7.7.7");
    expect(await r.result).toMatchObject({
      rolledBack: true,
      problem: expect.stringMatching(/cannot load this config: agents\.defaults\.model/),
    });
    const restarts: string[] = [];
    const s = run("8.0.0", {
      restartService: async () => {
        restarts.push("restart");
        return restarts.length === 1 ? { ok: false, detail: "/readyz did not answer" } : { ok: true, detail: "" };
      },
    });
    expect(await s.result).toMatchObject({
      ok: false,
      rolledBack: true,
      problem: "the service did not come back healthy: /readyz did not answer",
    });
    expect(restarts).toHaveLength(2);
  });

  it("an npm failure stops before anything changes", async () => {
    const r = run("missing");
    await expect(r.result).rejects.toThrow(/npm install -g pincer@missing failed: npm ERR! 404/);
  });
});
