import { existsSync } from "node:fs";
import { PincerError } from "../errors.js";

/**
 * Variables a caller may not set for a command: they change which binary runs or inject code before it
 * (loader and interpreter hooks), which would turn an allowlisted command into any command.
 */
export const BLOCKED_ENV_NAME =
  /^(PATH|IFS|ENV|BASH_ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|NODE_OPTIONS|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|PERL5LIB|RUBYOPT|RUBYLIB|LD_.*|DYLD_.*|BASH_FUNC_.*)$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks caller-supplied variables; throws naming the first bad one. */
export function checkCommandEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name))
      throw new PincerError("INVALID_REQUEST", `env name "${name}" is not a valid variable name`);
    if (BLOCKED_ENV_NAME.test(name))
      throw new PincerError(
        "FORBIDDEN",
        `env ${name} may not be set for a command (it changes which program runs or injects code); set it inside the command if you must`,
      );
    if (value.includes("\0")) throw new PincerError("INVALID_REQUEST", `env ${name} contains a NUL byte`);
  }
}

/** The shell that runs commands: bash when present (most scripts assume it), else POSIX sh. */
export function commandShell(): string {
  return existsSync("/bin/bash") ? "/bin/bash" : "/bin/sh";
}

/** Variables passed through from the gateway to host commands: locale and identity, never secrets. */
const PASSTHROUGH = ["HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR"];

export function hostBaseEnv(pathPrepend: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = { TERM: "dumb", PINCER_SHELL: "exec", SHELL: commandShell() };
  for (const k of PASSTHROUGH) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  const path = process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  env.PATH = [...pathPrepend, path].join(":");
  return env;
}
