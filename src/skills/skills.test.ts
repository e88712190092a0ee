import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveStatePaths } from "../config/paths.js";
import { PincerConfigSchema } from "../config/schema.js";
import { setSkillEnabledInDoc } from "./enable.js";
import { parseSkillFile } from "./frontmatter.js";
import { promptSkills, skillsStatus } from "./status.js";

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pincer-skills-"));
  env = {
    HOME: join(dir, "home"),
    PINCER_STATE_DIR: join(dir, "state"),
    PATH: "/usr/bin:/bin",
    PINCER_BUNDLED_SKILLS_DIR: join(dir, "bundled"),
  };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function skill(root: string, folder: string, frontmatter: string, body = "Do the thing.\n") {
  await mkdir(join(root, folder), { recursive: true });
  await writeFile(join(root, folder, "SKILL.md"), `---\n${frontmatter}\n---\n${body}`);
}

function input(config: unknown = {}, agentId = "main") {
  return {
    config: PincerConfigSchema.parse(config),
    paths: resolveStatePaths(env),
    agentId,
    env,
    platform: "linux" as const,
  };
}

describe("parseSkillFile", () => {
  it("reads name, description and OpenClaw metadata (YAML block or JSON5 string)", () => {
    const block = parseSkillFile(
      "---\nname: image-lab\ndescription: Make images\nmetadata:\n  openclaw:\n    requires:\n      bins: [uv]\n      env: [GEMINI_API_KEY]\n    primaryEnv: GEMINI_API_KEY\n---\nBody",
      "SKILL.md",
    );
    expect(block).toMatchObject({ name: "image-lab", description: "Make images", body: "Body" });
    expect(block.meta).toMatchObject({
      requires: { bins: ["uv"], env: ["GEMINI_API_KEY"] },
      primaryEnv: "GEMINI_API_KEY",
    });
    const inline = parseSkillFile(
      `---\nname: gh\ndescription: GitHub\nmetadata: '{ "openclaw": { "requires": { "bins": ["gh"] }, os: ["darwin"] } }'\n---\n`,
      "SKILL.md",
    );
    expect(inline.meta).toMatchObject({ requires: { bins: ["gh"] }, os: ["darwin"] });
    const legacy = parseSkillFile("---\ndescription: Old\nmetadata: { clawdbot: { always: true } }\n---\n", "x");
    expect(legacy.meta.always).toBe(true);
  });

  it.each([
    ["no frontmatter", "# Just markdown", /no frontmatter/],
    ["unterminated", "---\nname: a\ndescription: b\n", /no frontmatter/],
    ["broken YAML", "---\nname: [unclosed\ndescription: b\n---\n", /not valid YAML/],
    ["a list, not a mapping", "---\n- a\n- b\n---\n", /must be a YAML mapping/],
    ["missing description", "---\nname: a\n---\n", /description/],
    ["bad name", "---\nname: Bad Name!\ndescription: x\n---\n", /name: lowercase/],
    ["bad metadata JSON5", "---\ndescription: x\nmetadata: '{ openclaw: '\n---\n", /metadata is not valid JSON5/],
    [
      "bad metadata types",
      "---\ndescription: x\nmetadata: { openclaw: { always: 'yes' } }\n---\n",
      /metadata\.openclaw\.always/,
    ],
  ])("rejects %s with a message naming the file", (_what, text, message) => {
    let caught: unknown;
    try {
      parseSkillFile(text, "/skills/x/SKILL.md");
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: "INVALID_REQUEST" });
    expect((caught as Error).message).toMatch(/^\/skills\/x\/SKILL\.md: /);
    expect((caught as Error).message).toMatch(message);
  });
});

describe("loading, precedence and gating", () => {
  it("takes a name from the highest root: workspace > ~/.agents > managed > bundled > extraDirs", async () => {
    const ws = join(dir, "state", "workspace", "skills");
    await skill(ws, "weather", "name: weather\ndescription: from workspace");
    await skill(join(dir, "home", ".agents", "skills"), "weather", "name: weather\ndescription: from personal");
    await skill(join(dir, "state", "skills"), "deploy", "name: deploy\ndescription: from managed");
    await skill(join(dir, "bundled"), "deploy", "name: deploy\ndescription: from bundled");
    await skill(join(dir, "bundled"), "notes", "name: notes\ndescription: bundled notes");
    await skill(join(dir, "extra", "group"), "lint", "name: lint\ndescription: from extra (grouped)");
    const status = await skillsStatus(input({ skills: { load: { extraDirs: [join(dir, "extra")] } } }));
    const by = Object.fromEntries(status.skills.map((s) => [s.name, s]));
    expect(by.weather).toMatchObject({ description: "from workspace", source: "workspace" });
    expect(by.deploy).toMatchObject({ description: "from managed", source: "managed" });
    expect(by.notes).toMatchObject({ source: "bundled", bundled: true, eligible: true });
    expect(by.lint).toMatchObject({ source: "extra" });
  });

  it("lists a skill with missing requirements as unavailable, with every reason", async () => {
    const ws = join(dir, "state", "workspace", "skills");
    await skill(
      ws,
      "needs-all",
      "name: needs-all\ndescription: x\nmetadata: { openclaw: { requires: { bins: [definitely-not-a-binary], env: [SOME_TOKEN], config: [browser.enabled] } } }",
    );
    await skill(
      ws,
      "mac-only",
      "name: mac-only\ndescription: x\nmetadata: { openclaw: { os: [darwin], always: true } }",
    );
    await skill(
      ws,
      "has-sh",
      "name: has-sh\ndescription: x\nmetadata: { openclaw: { requires: { anyBins: [nope, sh] } } }",
    );
    await skill(
      ws,
      "keyed",
      "name: keyed\ndescription: x\nmetadata: { openclaw: { requires: { env: [KEYED_TOKEN] }, primaryEnv: KEYED_TOKEN } }",
    );
    const status = await skillsStatus(input({ skills: { entries: { keyed: { apiKey: "k" } } } }));
    const by = Object.fromEntries(status.skills.map((s) => [s.name, s]));
    expect(by["needs-all"]).toMatchObject({
      eligible: false,
      missing: { bins: ["definitely-not-a-binary"], env: ["SOME_TOKEN"], config: ["browser.enabled"] },
    });
    expect(by["needs-all"]?.unavailableReasons).toHaveLength(3);
    expect(by["mac-only"]).toMatchObject({ eligible: false, missing: { os: ["darwin"] } });
    expect(by["has-sh"]).toMatchObject({ eligible: true });
    expect(by.keyed).toMatchObject({ eligible: true });
    expect(
      (await promptSkills(input({ skills: { entries: { keyed: { apiKey: "k" } } } }))).map((s) => s.name).sort(),
    ).toEqual(["has-sh", "keyed"]);
  });

  it("reports broken skills without hiding their valid siblings", async () => {
    const ws = join(dir, "state", "workspace", "skills");
    await skill(ws, "good", "name: good\ndescription: fine");
    await mkdir(join(ws, "broken"), { recursive: true });
    await writeFile(join(ws, "broken", "SKILL.md"), "---\nname: [oops\n---\n");
    const status = await skillsStatus(input());
    expect(status.skills.map((s) => s.name)).toEqual(["good"]);
    expect(status.invalid).toEqual([expect.objectContaining({ error: expect.stringMatching(/not valid YAML/) })]);
  });

  it("skips a workspace skill folder that is a symlink out of the workspace, and a SKILL.md linking out", async () => {
    const outside = join(dir, "outside");
    await skill(outside, "evil", "name: evil\ndescription: from outside");
    const ws = join(dir, "state", "workspace", "skills");
    await mkdir(ws, { recursive: true });
    await symlink(join(outside, "evil"), join(ws, "evil"));
    await mkdir(join(ws, "sneaky"));
    await writeFile(join(outside, "secret.md"), "---\nname: sneaky\ndescription: secret\n---\n");
    await symlink(join(outside, "secret.md"), join(ws, "sneaky", "SKILL.md"));
    const status = await skillsStatus(input());
    expect(status.skills.map((s) => s.name)).toEqual([]);
    expect(status.invalid.map((i) => i.error)).toEqual([expect.stringMatching(/outside the skill folder/)]);
  });

  it("honours skills.entries.enabled, allowBundled and per-agent lists", async () => {
    await skill(join(dir, "bundled"), "notes", "name: notes\ndescription: n");
    await skill(join(dir, "bundled"), "reminders", "name: reminders\ndescription: r");
    await skill(join(dir, "state", "workspace", "skills"), "mine", "name: mine\ndescription: m");
    const names = async (config: unknown, agentId = "main") =>
      (await promptSkills(input(config, agentId))).map((s) => s.name).sort();
    expect(await names({})).toEqual(["mine", "notes", "reminders"]);
    expect(await names({ skills: { entries: { notes: { enabled: false } } } })).toEqual(["mine", "reminders"]);
    expect(await names({ skills: { allowBundled: ["reminders"] } })).toEqual(["mine", "reminders"]);
    expect(await names({ agents: { defaults: { skills: ["notes"] } } })).toEqual(["notes"]);
    const multi = {
      agents: {
        defaults: { skills: ["notes"] },
        list: [
          { id: "main", default: true },
          { id: "ops", skills: [] },
        ],
      },
    };
    expect(await names(multi, "main")).toEqual(["notes"]);
    expect(await names(multi, "ops")).toEqual([]);
  });
});

describe("setSkillEnabledInDoc", () => {
  it("toggles skills.entries for everyone, and an agent's own list with --agent", () => {
    const doc: Record<string, unknown> = {};
    setSkillEnabledInDoc(doc, { skillKey: "notes", name: "notes", enabled: false, knownNames: ["notes", "b"] });
    expect(doc).toEqual({ skills: { entries: { notes: { enabled: false } } } });
    const multi: Record<string, unknown> = { agents: { list: [{ id: "ops" }] } };
    setSkillEnabledInDoc(multi, {
      skillKey: "b",
      name: "b",
      enabled: false,
      agentId: "ops",
      knownNames: ["a", "b", "c"],
    });
    expect(multi).toEqual({ agents: { list: [{ id: "ops", skills: ["a", "c"] }] } });
    setSkillEnabledInDoc(multi, { skillKey: "b", name: "b", enabled: true, agentId: "ops", knownNames: [] });
    expect((multi.agents as { list: { skills: string[] }[] }).list[0]?.skills).toEqual(["a", "b", "c"]);
    expect(() =>
      setSkillEnabledInDoc(multi, { skillKey: "b", name: "b", enabled: true, agentId: "nope", knownNames: [] }),
    ).toThrow(/not in agents.list/);
  });
});
