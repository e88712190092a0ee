import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveStatePaths } from "../config/paths.js";
import { PincerConfigSchema } from "../config/schema.js";
import { bundledSkillsDir, readSkill } from "./load.js";
import { scanSkill } from "./scanner.js";
import { skillsStatus } from "./status.js";

/**
 * The skills shipped in skills/: each one parses, needs nothing that an offline machine lacks (no binaries,
 * keys or config), scans clean, and points the model at tools Pincer really has.
 */
const BUNDLED: Record<string, string[]> = {
  notes: ["memory_search", "memory_get", "edit", "write"],
  reminders: ["cron"],
  "summarize-url": ["web_fetch"],
};

describe.each(Object.entries(BUNDLED))("bundled skill %s", (name, tools) => {
  const dir = join(bundledSkillsDir({}), name);

  it("parses, and is eligible with an empty environment", async () => {
    const skill = await readSkill(dir, "bundled");
    expect(skill).toMatchObject({ name, source: "bundled", modelInvocable: true });
    const env = { HOME: "/nonexistent-home", PINCER_STATE_DIR: "/nonexistent-state", PATH: "" };
    const status = await skillsStatus({
      config: PincerConfigSchema.parse({}),
      paths: resolveStatePaths(env),
      agentId: "main",
      env,
    });
    expect(status.skills.find((s) => s.name === name)).toMatchObject({
      eligible: true,
      modelVisible: true,
      bundled: true,
    });
  });

  it("passes the security scan with no findings", async () => {
    expect((await scanSkill(dir)).findings).toEqual([]);
  });

  it("names the tools it relies on", async () => {
    const text = await readFile(join(dir, "SKILL.md"), "utf8");
    for (const tool of tools) expect(text).toContain(`\`${tool}\``);
  });
});

describe("bundled reminders skill against the real cron tool", () => {
  it("uses only arguments and actions the cron tool accepts", async () => {
    const { cronTool } = await import("../automation/cron/cron-tool.js");
    const { toolSpec } = await import("../tools/tool.js");
    const props = toolSpec(cronTool(() => undefined)).parameters.properties as Record<string, { enum?: string[] }>;
    const text = await readFile(join(bundledSkillsDir({}), "reminders", "SKILL.md"), "utf8");
    for (const arg of ["at", "every", "cron", "tz", "systemEvent", "message", "deliver", "jobId", "name"]) {
      expect(text).toContain(`\`${arg}`);
      expect(props[arg]).toBeDefined();
    }
    for (const action of ["add", "list", "remove", "update"]) {
      expect(text).toContain(`action: "${action}"`);
      expect(props.action?.enum).toContain(action);
    }
  });
});
