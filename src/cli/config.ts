import type { Command } from "commander";

/**
 * `pincer config …`: read and edit pincer.json directly (no gateway needed; a running gateway's watcher picks
 * the change up). Every edit is validated in full before the file is atomically replaced.
 */

function fail(err: unknown): void {
  process.stderr.write(`pincer: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}

/** Wraps an action so its errors are printed as `pincer: <message>` with exit code 1. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      fail(err);
    }
  };
}

async function configFile(): Promise<string> {
  const { resolveStatePaths } = await import("../config/paths.js");
  return resolveStatePaths(process.env).configPath;
}

/** Parses a CLI value as JSON5 (numbers, booleans, objects, quoted strings) and otherwise keeps it as text. */
async function parseCliValue(text: string): Promise<unknown> {
  const { default: JSON5 } = await import("json5");
  try {
    return JSON5.parse(text);
  } catch {
    return text;
  }
}

/** Edits the document as written, validates the result like a load would, then writes it atomically. */
async function editConfig(
  edit: (doc: Record<string, unknown>, file: string) => void,
  verify?: (candidate: import("../config/load.js").ConfigSnapshot) => void,
) {
  const fs = await import("node:fs/promises");
  const { parseConfigDocument, loadConfigFromRaw } = await import("../config/load.js");
  const { serializeConfig, writeConfigFile } = await import("../config/write.js");
  const file = await configFile();
  const current = await fs.readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  const doc = current === undefined ? {} : parseConfigDocument(file, current);
  await edit(doc, file);
  const raw = serializeConfig(doc);
  const candidate = await loadConfigFromRaw(file, raw, process.env);
  verify?.(candidate);
  await writeConfigFile(file, raw);
  return { file, candidate };
}

export function registerConfigCommands(program: Command): void {
  const config = program.command("config").description("read, edit and validate the config file (pincer.json)");

  config
    .command("get [path]")
    .description("print the effective config, or the value at a dot path (e.g. gateway.port), as JSON")
    .option("--show-secrets", "print secret values instead of __PINCER_REDACTED__")
    .action(
      action(async (pathArg: string | undefined, flags: { showSecrets?: boolean }) => {
        const { loadConfig } = await import("../config/load.js");
        const { getAtPath, parsePath } = await import("../config/config-path.js");
        const { redactValue } = await import("../config/redact.js");
        const snapshot = await loadConfig(await configFile(), process.env);
        const config = flags.showSecrets ? snapshot.config : redactValue(snapshot.config, snapshot.secretPaths);
        let value: unknown = config;
        if (pathArg !== undefined) {
          const found = getAtPath(config, parsePath(pathArg));
          if (!found.found) throw new Error(`no value at ${pathArg} in ${snapshot.path}`);
          value = found.value;
        }
        process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      }),
    );

  config
    .command("set <path> <value>")
    .description("set a value (parsed as JSON5, else taken as a string); the whole config is validated first")
    .action(
      action(async (pathArg: string, valueArg: string) => {
        const { parsePath, setAtPath } = await import("../config/config-path.js");
        const segments = parsePath(pathArg);
        const value = await parseCliValue(valueArg);
        const { file } = await editConfig((doc) => setAtPath(doc, segments, value));
        process.stdout.write(`set ${pathArg} in ${file}\n`);
      }),
    );

  config
    .command("unset <path>")
    .description("remove a value from the config file")
    .action(
      action(async (pathArg: string) => {
        const { getAtPath, parsePath, unsetAtPath } = await import("../config/config-path.js");
        const segments = parsePath(pathArg);
        const { file } = await editConfig(
          (doc, f) => {
            if (!unsetAtPath(doc, segments)) throw new Error(`nothing to remove: ${pathArg} is not set in ${f}`);
          },
          (candidate) => {
            // Removing the main file's key would leave an included value in force: say so instead of "removed".
            if (getAtPath(candidate.resolved, segments).found) {
              throw new Error(
                `${pathArg} is also set by an $include'd file (${candidate.includes.join(", ")}); edit that file`,
              );
            }
          },
        );
        process.stdout.write(`removed ${pathArg} from ${file}\n`);
      }),
    );

  config
    .command("validate")
    .description("check the config file; exits 1 and lists every problem when it is invalid")
    .action(
      action(async () => {
        const { loadConfig } = await import("../config/load.js");
        const snapshot = await loadConfig(await configFile(), process.env);
        process.stdout.write(
          snapshot.exists
            ? `ok: ${snapshot.path} is valid\n`
            : `ok: ${snapshot.path} does not exist; all defaults apply\n`,
        );
      }),
    );

  config
    .command("path")
    .description("print the config file's path")
    .action(
      action(async () => {
        process.stdout.write(`${await configFile()}\n`);
      }),
    );
}
