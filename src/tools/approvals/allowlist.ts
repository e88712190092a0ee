import { parseShellCommands } from "./shell-words.js";

/**
 * Allowlist entries (tools.exec.allowlist) name a program and optionally the first arguments:
 *   "ls"                 ls with any arguments (the program must be called by that bare name)
 *   "git status"         git status, git status --short …
 *   "/usr/bin/*"         any program called by a path under /usr/bin
 * `*` matches within one path segment or argument, `**` across segments.
 */

export type AllowlistResult = { match: true } | { match: false; reason: string };

export function matchAllowlist(command: string, allowlist: readonly string[]): AllowlistResult {
  if (allowlist.length === 0) return { match: false, reason: "the allowlist (tools.exec.allowlist) is empty" };
  const parsed = parseShellCommands(command);
  if (!parsed.ok) return { match: false, reason: `the command is not analyzable: ${parsed.reason}` };
  for (const argv of parsed.commands) {
    if (!allowlist.some((entry) => argvMatches(argv, entry))) {
      return { match: false, reason: `"${argv.join(" ")}" is not in the allowlist` };
    }
  }
  return { match: true };
}

export function argvMatches(argv: readonly string[], entry: string): boolean {
  const tokens = entry.trim().split(/\s+/).filter(Boolean);
  const [program, ...args] = tokens;
  const exe = argv[0];
  if (!program || exe === undefined) return false;
  if (!program.includes("/")) {
    if (exe.includes("/") || !globMatch(program, exe)) return false;
  } else if (!globMatch(program, exe)) return false;
  if (args.length > argv.length - 1) return false;
  return args.every((a, i) => globMatch(a, argv[i + 1] as string));
}

function globMatch(glob: string, value: string): boolean {
  if (!glob.includes("*")) return glob === value;
  const body = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`).test(value);
}
