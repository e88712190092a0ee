import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAgentFile, listAgentFiles, MAX_AGENT_FILE_BYTES, setAgentFile } from "./agent-files.js";
import { ensureWorkspace } from "./ensure.js";
import { TEMPLATE_FILE_NAMES } from "./templates.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pincer-ws-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ensureWorkspace", () => {
  it("writes every template once and keeps the user's edits on a second run", async () => {
    const ws = join(dir, "workspace");
    const first = await ensureWorkspace(ws);
    expect(first.created.sort()).toEqual([...TEMPLATE_FILE_NAMES].sort());
    expect(TEMPLATE_FILE_NAMES).toEqual(
      expect.arrayContaining([
        "AGENTS.md",
        "SOUL.md",
        "TOOLS.md",
        "USER.md",
        "IDENTITY.md",
        "HEARTBEAT.md",
        "MEMORY.md",
      ]),
    );
    await writeFile(join(ws, "SOUL.md"), "my soul");
    const second = await ensureWorkspace(ws);
    expect(second.created).toEqual([]);
    expect(await readFile(join(ws, "SOUL.md"), "utf8")).toBe("my soul");
    expect(await readFile(join(ws, "AGENTS.md"), "utf8")).toContain("memory_search");
  });
});

describe("agent files", () => {
  it("lists, reads and replaces the bootstrap files", async () => {
    await ensureWorkspace(dir);
    const list = await listAgentFiles(dir);
    expect(list.find((f) => f.name === "AGENTS.md")).toMatchObject({ missing: false });
    expect(list.find((f) => f.name === "BOOT.md")).toMatchObject({ missing: true, expectedAbsent: true });
    expect(list.every((f) => f.content === undefined)).toBe(true);
    const set = await setAgentFile(dir, "USER.md", "# USER\n- Name: Ada\n");
    expect(set).toMatchObject({ name: "USER.md", missing: false, content: "# USER\n- Name: Ada\n" });
    expect((await getAgentFile(dir, "USER.md")).content).toContain("Ada");
  });

  it("refuses names outside the set, including paths that try to climb out", async () => {
    for (const name of ["../etc/passwd", "memory/2024-01-01.md", "notes.md", "/etc/passwd"]) {
      await expect(getAgentFile(dir, name)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
      await expect(setAgentFile(dir, name, "x")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    }
  });

  it("refuses a bootstrap file that is a symlink to a file outside the workspace", async () => {
    const outside = join(dir, "..", `secret-${Date.now()}.txt`);
    await writeFile(outside, "secret");
    const ws = join(dir, "ws");
    await ensureWorkspace(ws);
    await rm(join(ws, "TOOLS.md"));
    await symlink(outside, join(ws, "TOOLS.md"));
    try {
      await expect(getAgentFile(ws, "TOOLS.md")).rejects.toMatchObject({ code: "FORBIDDEN" });
    } finally {
      await rm(outside, { force: true });
    }
  });

  it("refuses content over the size cap", async () => {
    await expect(setAgentFile(dir, "AGENTS.md", "x".repeat(MAX_AGENT_FILE_BYTES + 1))).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
  });
});
