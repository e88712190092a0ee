import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PINCER_BIN } from "./harness.js";

/**
 * `pincer service` as a person runs it. No test machine runs a systemd user manager, so the unit is written
 * with --no-start and checked by systemd's own parser (systemd-analyze verify) where that is installed.
 */
let home: string;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [PINCER_BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: home, PINCER_STATE_DIR: join(home, ".pincer") },
    encoding: "utf8",
  });

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "pincer-e2e-service-"));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe.skipIf(process.platform !== "linux")("pincer service (systemd)", () => {
  const unit = () => join(home, ".config", "systemd", "user", "pincer-gateway.service");

  it("install writes a unit systemd accepts, running this node and pincer with restart on failure", () => {
    const run = cli("service", "install", "--no-start");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`Wrote ${unit()}\n`);
    const text = readFileSync(unit(), "utf8");
    expect(text).toContain(`ExecStart="${process.execPath}" "${PINCER_BIN}" "gateway"`);
    expect(text).toContain("Restart=on-failure");
    const analyze = spawnSync("systemd-analyze", ["verify", unit()], { encoding: "utf8" });
    if (analyze.error) console.warn("systemd-analyze is not installed; the unit was not checked by systemd");
    else expect(analyze.status, analyze.stderr).toBe(0);
  });

  it("status reports it installed; uninstall removes it; status then says how to install", () => {
    const status = JSON.parse(cli("service", "status", "--json").stdout);
    expect(status).toMatchObject({ kind: "systemd", installed: true, outdated: false });
    expect(cli("service", "uninstall").stdout).toContain(`Removed ${unit()}`);
    expect(existsSync(unit())).toBe(false);
    const after = cli("service", "status");
    expect(after.status).toBe(1);
    expect(after.stdout).toContain("Not installed");
  });
});
