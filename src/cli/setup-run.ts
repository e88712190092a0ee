import { mkdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { listAgents } from "../agent/agents.js";
import { loadConfig, loadConfigFromRaw, parseConfigDocument } from "../config/load.js";
import { expandHome, resolveStatePaths } from "../config/paths.js";
import { STATE_DIR_MODE, serializeConfig, writeConfigFile } from "../config/write.js";
import { ensureWorkspace } from "../workspace/ensure.js";

export interface SetupResult {
  stateDir: string;
  configPath: string;
  configWritten: boolean;
  workspaces: { agentId: string; dir: string; created: string[]; kept: string[] }[];
}

/** The work of `pincer setup`, as a function the CLI and tests call. */
export async function runSetup(opts: { env: NodeJS.ProcessEnv; workspace?: string }): Promise<SetupResult> {
  const paths = resolveStatePaths(opts.env);
  await mkdir(paths.stateDir, { recursive: true, mode: STATE_DIR_MODE });
  let configWritten = false;
  if (opts.workspace) {
    const dir = resolve(expandHome(opts.workspace, opts.env.HOME));
    const raw = await readFile(paths.configPath, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    const doc = raw === undefined ? {} : parseConfigDocument(paths.configPath, raw);
    if (doc.agents === undefined) doc.agents = {};
    const agents = doc.agents as Record<string, unknown>;
    if (agents.defaults === undefined) agents.defaults = {};
    const defaults = agents.defaults as Record<string, unknown>;
    if (defaults.workspace !== dir) {
      defaults.workspace = dir;
      const next = serializeConfig(doc);
      // Validated in full before a byte is written, like every other config edit.
      await loadConfigFromRaw(paths.configPath, next, opts.env);
      await writeConfigFile(paths.configPath, next);
      configWritten = true;
    }
  }
  const { config } = await loadConfig(paths.configPath, opts.env);
  const workspaces: SetupResult["workspaces"] = [];
  for (const agent of listAgents(config, paths)) {
    const result = await ensureWorkspace(agent.workspaceDir);
    workspaces.push({ agentId: agent.id, ...result });
  }
  return { stateDir: paths.stateDir, configPath: paths.configPath, configWritten, workspaces };
}
