import type { Command } from "commander";

/**
 * `pincer skills list|scan|install|enable|disable`: skills on this machine (no gateway needed; a running
 * gateway picks up new skill folders and config changes by itself).
 */

interface Flags {
  agent?: string;
  json?: boolean;
}

async function context(flags: Flags) {
  const { resolveStatePaths } = await import("../config/paths.js");
  const { loadConfig } = await import("../config/load.js");
  const { defaultAgent, findAgent } = await import("../agent/agents.js");
  const paths = resolveStatePaths(process.env);
  const { config } = await loadConfig(paths.configPath, process.env);
  const agent = flags.agent ? findAgent(config, paths, flags.agent) : defaultAgent(config, paths);
  return { paths, config, agent };
}

function out(flags: Flags, value: unknown, text: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

async function setEnabled(name: string, enabled: boolean, flags: Flags): Promise<void> {
  const fs = await import("node:fs/promises");
  const { parseConfigDocument, loadConfigFromRaw } = await import("../config/load.js");
  const { serializeConfig, writeConfigFile } = await import("../config/write.js");
  const { setSkillEnabledInDoc } = await import("../skills/enable.js");
  const { agentSkills } = await import("../skills/status.js");
  const { paths, config, agent } = await context(flags);
  const { skills } = await agentSkills({ config, paths, agentId: agent.id, env: process.env });
  const skill = skills.find((s) => s.name === name);
  if (!skill) throw new Error(`no skill named "${name}" (see pincer skills list)`);
  const raw = await fs.readFile(paths.configPath, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  const doc = raw === undefined ? {} : parseConfigDocument(paths.configPath, raw);
  setSkillEnabledInDoc(doc, {
    skillKey: skill.skillKey,
    name,
    enabled,
    ...(flags.agent ? { agentId: agent.id } : {}),
    knownNames: skills.map((s) => s.name),
  });
  const next = serializeConfig(doc);
  await loadConfigFromRaw(paths.configPath, next, process.env);
  await writeConfigFile(paths.configPath, next);
  out(
    flags,
    { ok: true, name, enabled, agentId: flags.agent ? agent.id : undefined },
    `${name} ${enabled ? "enabled" : "disabled"}${flags.agent ? ` for agent ${agent.id}` : ""}`,
  );
}

export function registerSkillsCommands(program: Command): void {
  const skills = program
    .command("skills")
    .description("list, scan, install, enable and disable skills (SKILL.md folders)");

  skills
    .command("list")
    .description("every skill found for an agent, and why an unavailable one is unavailable")
    .option("--agent <id>", "agent (default: the default agent)")
    .option("--json", "print JSON (the skills.status payload)")
    .action(async (flags: Flags) => {
      const { skillsStatus } = await import("../skills/status.js");
      const { paths, config, agent } = await context(flags);
      const status = await skillsStatus({ config, paths, agentId: agent.id, env: process.env });
      const lines = status.skills.map(
        (s) =>
          `${s.modelVisible ? "✓" : "✗"} ${s.name} (${s.source}) — ${s.description}${s.unavailableReasons ? `\n    unavailable: ${s.unavailableReasons.join("; ")}` : ""}`,
      );
      for (const bad of status.invalid) lines.push(`! ${bad.file}: ${bad.error}`);
      if (lines.length === 0) lines.push("no skills found");
      out(flags, status, lines.join("\n"));
    });

  skills
    .command("scan <dir>")
    .description("statically scan a skill folder for malicious patterns (exit code 2 on high severity)")
    .option("--json", "print JSON")
    .action(async (dir: string, flags: Flags) => {
      const { scanSkill, formatScanReport } = await import("../skills/scanner.js");
      const report = await scanSkill(dir);
      out(flags, report, formatScanReport(report));
      if (report.verdict === "block") process.exitCode = 2;
    });

  skills
    .command("install <source>")
    .description(
      "install a skill from a folder, a .tar.gz archive or a git URL (scanned first; unsafe ones are refused)",
    )
    .option("--agent <id>", "install into this agent's workspace (default: the default agent)")
    .option("--global", "install into the managed folder shared by all agents")
    .option("--as <name>", "install under another name")
    .option("--force", "replace an installed skill of the same name")
    .option("--allow-unsafe", "install even if the scan finds high-severity patterns (read the skill first)")
    .option("--json", "print JSON")
    .action(
      async (
        source: string,
        flags: Flags & { global?: boolean; as?: string; force?: boolean; allowUnsafe?: boolean },
      ) => {
        const { installSkill } = await import("../skills/install.js");
        const { formatScanReport } = await import("../skills/scanner.js");
        const { paths, config, agent } = await context(flags);
        const result = await installSkill({
          source,
          config,
          paths,
          env: process.env,
          agentId: agent.id,
          ...(flags.global ? { global: true } : {}),
          ...(flags.as ? { as: flags.as } : {}),
          ...(flags.force ? { force: true } : {}),
          ...(flags.allowUnsafe ? { allowUnsafe: true } : {}),
        });
        out(
          flags,
          result,
          `installed ${result.name} into ${result.dir}${result.replaced ? " (replaced the previous copy)" : ""}\n${formatScanReport(result.scan)}`,
        );
      },
    );

  for (const [verb, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    skills
      .command(`${verb} <name>`)
      .description(`${verb} a skill for every agent (skills.entries), or for one agent with --agent`)
      .option("--agent <id>", "change only this agent's skills list")
      .option("--json", "print JSON")
      .action((name: string, flags: Flags) => setEnabled(name, enabled, flags));
  }
}
