import { readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { z } from "zod";
import type { StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { PincerError } from "../errors.js";
import { type AgentTool, defineTool, textResult } from "../tools/tool.js";

/**
 * skill_read: how the model opens a skill's SKILL.md (and the files it references) on demand. Bundled and
 * managed skills live outside the workspace, where the read tool cannot reach, so this tool reads inside a
 * skill folder only, and only for skills available to the agent.
 */

const MAX_READ_BYTES = 256 * 1024;

const Args = z.object({
  name: z.string().min(1).describe("The skill's name, as listed under Skills in the system prompt."),
  path: z.string().min(1).optional().describe("A file inside the skill folder (default SKILL.md)."),
});

export function skillReadTool(deps: {
  config: () => PincerConfig;
  paths: StatePaths;
  env: NodeJS.ProcessEnv;
}): AgentTool {
  return defineTool({
    name: "skill_read",
    description:
      "Read a skill's SKILL.md (or another file in its folder). Do this before using a skill whose description matches the task.",
    parameters: Args,
    async execute(_id, args, ctx) {
      const { agentSkills } = await import("./status.js");
      const { skills } = await agentSkills({
        config: deps.config(),
        paths: deps.paths,
        agentId: ctx.agentId,
        env: deps.env,
      });
      const skill = skills.find((s) => s.name === args.name);
      if (!skill?.gate.available) {
        const names = skills.filter((s) => s.gate.available).map((s) => s.name);
        throw new PincerError(
          "NOT_FOUND",
          `no available skill named "${args.name}"${names.length ? `: available skills are ${names.join(", ")}` : ""}`,
        );
      }
      const target = join(skill.dir, args.path ?? "SKILL.md");
      const real = await realpath(target).catch(() => undefined);
      const rel = real ? relative(skill.dir, real) : "..";
      if (!real || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel))
        throw new PincerError("NOT_FOUND", `${args.path ?? "SKILL.md"} is not a file inside skill "${skill.name}"`);
      const st = await stat(real);
      if (!st.isFile()) throw new PincerError("INVALID_REQUEST", `${args.path} is not a file`);
      if (st.size > MAX_READ_BYTES)
        throw new PincerError(
          "PAYLOAD_TOO_LARGE",
          `${args.path} is ${st.size} bytes; skill files over 256 KiB are not read`,
        );
      const text = (await readFile(real, "utf8")).replaceAll("{baseDir}", skill.dir);
      return textResult(`${skill.name}: ${rel.split(sep).join("/")} (folder ${skill.dir})\n\n${text}`);
    },
  });
}
