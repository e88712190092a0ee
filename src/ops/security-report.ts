import type { StatePaths } from "../config/paths.js";
import { type Check, type CheckReport, runChecks } from "./findings.js";
import { permissionChecksFor } from "./permission-checks.js";
import { auditConfig, documentHoldsPlainSecrets } from "./security-audit.js";
import { skillScanCheck } from "./skill-checks.js";

/**
 * `pincer security audit`: the config rules (security-audit.ts), who may read the state folder, and skills
 * that skipped the install scan. `deep` also walks every file of the state folder and scans unscanned skills.
 */
export async function runSecurityAudit(
  paths: StatePaths,
  env: NodeJS.ProcessEnv,
  opts: { deep?: boolean; fix?: boolean } = {},
): Promise<CheckReport> {
  const { loadConfig } = await import("../config/load.js");
  let snapshot: Awaited<ReturnType<typeof loadConfig>> | undefined;
  let configError: string | undefined;
  try {
    snapshot = await loadConfig(paths.configPath, env);
  } catch (err) {
    configError = err instanceof Error ? err.message : String(err);
  }
  const deep = opts.deep ?? false;
  const checks: Check[] = [];
  if (snapshot) {
    const config = snapshot.config;
    checks.push(
      { name: "gateway and channel settings", run: async () => auditConfig(config, env) },
      { name: "skill scan records", run: skillScanCheck(config, paths, env, deep) },
    );
  } else {
    checks.push({
      name: "config",
      run: async () => [
        {
          id: "config.invalid",
          severity: "critical",
          title: "the config does not load, so its settings were not audited",
          detail: configError ?? "",
          fix: "pincer doctor",
        },
      ],
    });
  }
  checks.push({
    name: "file permissions",
    run: permissionChecksFor(paths, env, {
      configHoldsSecrets: snapshot ? documentHoldsPlainSecrets(snapshot.parsed) : true,
      deep,
    }),
  });
  return runChecks(checks, { fix: opts.fix ?? false });
}
