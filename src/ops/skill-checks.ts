import { access } from "node:fs/promises";
import { join } from "node:path";
import { listAgents } from "../agent/agents.js";
import type { StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import type { Finding } from "./findings.js";

/** The record `pincer skills install` writes into a skill folder after scanning it (src/skills/install.ts). */
const INSTALL_RECORD = ".pincer-install.json";

/**
 * Skills the agent loads that were never scanned: copied into a skills folder by hand (or by another tool)
 * instead of going through `pincer skills install`. Bundled skills ship with Pincer and are not listed. With
 * `deep`, each unscanned skill is scanned now and its verdict reported.
 */
export function skillScanCheck(config: PincerConfig, paths: StatePaths, env: NodeJS.ProcessEnv, deep: boolean) {
  return async (): Promise<Finding[]> => {
    const { loadSkills, skillRoots } = await import("../skills/load.js");
    const roots = new Map<string, ReturnType<typeof skillRoots>[number]>();
    for (const agent of listAgents(config, paths)) {
      for (const root of skillRoots(config, paths, agent.workspaceDir, env)) {
        if (root.source !== "bundled") roots.set(root.dir, root);
      }
    }
    const { skills, shadowed } = await loadSkills([...roots.values()]);
    const findings: Finding[] = [];
    for (const skill of [...skills, ...shadowed]) {
      const recorded = await access(join(skill.dir, INSTALL_RECORD)).then(
        () => true,
        () => false,
      );
      if (recorded) continue;
      let severity: Finding["severity"] = "warn";
      let detail = `${skill.dir} (${skill.source} skill)`;
      if (deep) {
        const { scanSkill } = await import("../skills/scanner.js");
        const scan = await scanSkill(skill.dir);
        severity = scan.verdict === "block" ? "critical" : scan.verdict === "warn" ? "warn" : "info";
        detail += `; scanned now: ${scan.findings.length} finding(s), highest ${scan.maxSeverity}`;
      }
      findings.push({
        id: "security.skill-unscanned",
        severity,
        title: `skill "${skill.name}" has no scan record`,
        detail,
        fix: `read ${skill.file}, then reinstall it with pincer skills install <source> (which scans it), or run security audit --deep`,
      });
    }
    return findings;
  };
}
