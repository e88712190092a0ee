import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentGateway, fakeConfig, startAgentGateway, textOf } from "./agent-gateway.js";
import { PINCER_BIN, startTestGateway, type TestGateway } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** Backups of a running gateway, restored into a fresh state folder that a new gateway then serves. */
let t: AgentGateway;
let scratch: string;
let archive: string;
let restored: TestGateway | undefined;

const cli = (stateDir: string, ...args: string[]) =>
  spawnSync(process.execPath, [PINCER_BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: stateDir, PINCER_STATE_DIR: stateDir },
    encoding: "utf8",
  });

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "pincer-e2e-backup-"));
  t = await startAgentGateway((fake) => fakeConfig(fake));
});
afterAll(async () => {
  await restored?.cleanup();
  await t?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("backup and restore", () => {
  it("backs up while the gateway runs and refuses to restore onto it", async () => {
    const final = await t.turn("remember the blue door", { sessionKey: "kept" });
    expect(final.state).toBe("final");
    const created = cli(t.gw.stateDir, "backup", "create", "--dir", join(scratch, "archives"), "--json");
    expect(created.status, created.stderr).toBe(0);
    archive = JSON.parse(created.stdout).file;
    const verified = cli(t.gw.stateDir, "backup", "verify", archive);
    expect(verified.status, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/^OK: \d+ files/);
    const listed = cli(t.gw.stateDir, "backup", "list", "--dir", join(scratch, "archives"));
    expect(listed.stdout).toContain(archive);

    const onto = cli(t.gw.stateDir, "backup", "restore", archive, "--force");
    expect(onto.status).toBe(1);
    expect(onto.stderr).toMatch(/CONFLICT: a gateway \(pid \d+, port \d+\) is running on .*: stop it first/);
    expect((await t.client.call<Any>("chat.history", { sessionKey: "kept" })).messages).toHaveLength(2);
  });

  it("a truncated or tampered archive is rejected by verify and restore", () => {
    const cut = join(scratch, "cut.tar.gz");
    copyFileSync(archive, cut);
    truncateSync(cut, Math.floor(readFileSync(cut).length * 0.6));
    const bad = cli(t.gw.stateDir, "backup", "verify", cut);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAILED: .*\n {2}the archive is truncated/);
    const tampered = join(scratch, "tampered.tar.gz");
    const bytes = readFileSync(archive);
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] as number) ^ 0x55;
    writeFileSync(tampered, bytes);
    copyFileSync(`${archive}.sha256`, `${tampered}.sha256`);
    const fresh = join(scratch, "never");
    const refused = cli(t.gw.stateDir, "backup", "restore", tampered, "--to", fresh);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/failed verification, nothing was restored/);
  });

  it("restores into a fresh state folder, and a gateway started on it has the conversation", async () => {
    const fresh = join(scratch, "fresh-state");
    const run = cli(t.gw.stateDir, "backup", "restore", archive, "--to", fresh);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`into ${fresh}`);
    expect(await t.gw.stop()).toBe(0);
    restored = await startTestGateway({ stateDir: fresh });
    const client = await restored.client();
    try {
      const history = await client.call<Any>("chat.history", { sessionKey: "kept" });
      expect(history.messages.map((m: Any) => m.role)).toEqual(["user", "assistant"]);
      expect(textOf(history.messages[0])).toBe("remember the blue door");
    } finally {
      client.close();
    }
  });
});
