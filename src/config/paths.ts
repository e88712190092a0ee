import os from "node:os";
import path from "node:path";

/** Where Pincer keeps its state on disk (DESIGN.md §3). Every path is absolute. */
export interface StatePaths {
  stateDir: string;
  configPath: string;
  logsDir: string;
  credentialsDir: string;
  agentsDir: string;
  workspaceDir: string;
  cronDir: string;
}

export const CONFIG_FILE_NAME = "pincer.json";

/** Expands a leading `~` (alone or followed by a separator) to the home directory. */
export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === "~") return home;
  if (p.startsWith("~/") || p.startsWith(`~${path.sep}`)) return path.join(home, p.slice(2));
  return p;
}

function homeOf(env: NodeJS.ProcessEnv): string {
  // HOME wins over os.homedir() so tests and service managers can relocate state with the environment alone.
  const home = env.HOME?.trim();
  return home ? home : os.homedir();
}

function fromEnv(value: string | undefined, home: string): string | undefined {
  const v = value?.trim();
  return v ? path.resolve(expandHome(v, home)) : undefined;
}

/**
 * State dir: `PINCER_STATE_DIR` or `~/.pincer`. Config: `PINCER_CONFIG_PATH` or `<stateDir>/pincer.json`.
 * Pure: reads only the `env` it is given.
 */
export function resolveStatePaths(env: NodeJS.ProcessEnv = process.env): StatePaths {
  const home = homeOf(env);
  const stateDir = fromEnv(env.PINCER_STATE_DIR, home) ?? path.join(home, ".pincer");
  const configPath = fromEnv(env.PINCER_CONFIG_PATH, home) ?? path.join(stateDir, CONFIG_FILE_NAME);
  return {
    stateDir,
    configPath,
    logsDir: path.join(stateDir, "logs"),
    credentialsDir: path.join(stateDir, "credentials"),
    agentsDir: path.join(stateDir, "agents"),
    workspaceDir: path.join(stateDir, "workspace"),
    cronDir: path.join(stateDir, "cron"),
  };
}
