/**
 * Splits a shell command into the simple commands it would run, for allowlist checks. It is deliberately
 * conservative: anything whose effect cannot be read off the text (command or process substitution,
 * backticks, subshells, here-documents, variable expansion in the program name, env assignments, output
 * redirections to files, compound statements) makes the whole command "not analyzable", which is treated as
 * an allowlist miss. `;`, `&&`, `||`, `|`, `&` and newlines separate commands; every one of them must match.
 * `#` starts a comment only at the start of a word, as in the shell.
 */

export type ShellParse = { ok: true; commands: string[][] } | { ok: false; reason: string };

const KEYWORDS = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "for",
  "while",
  "until",
  "do",
  "done",
  "case",
  "esac",
  "function",
  "select",
  "time",
  "!",
  "{",
  "}",
  "[[",
  "]]",
  "coproc",
]);
const SAFE_OUTPUT_TARGETS = new Set(["/dev/null"]);

interface Word {
  text: string;
  /** False when the word contains an unquoted/double-quoted expansion ($x) or an unquoted glob. */
  literal: boolean;
}

export function parseShellCommands(source: string): ShellParse {
  const commands: string[][] = [];
  let words: Word[] = [];
  let i = 0;
  const n = source.length;
  const fail = (reason: string): ShellParse => ({ ok: false, reason });

  const endCommand = (): ShellParse | undefined => {
    if (words.length === 0) return undefined;
    const first = words[0] as Word;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text))
      return fail(`"${first.text.split("=")[0]}=…" sets an environment variable for the command`);
    if (KEYWORDS.has(first.text)) return fail(`"${first.text}" starts a compound statement`);
    if (!first.literal) return fail("the program name is built from a variable or a glob");
    commands.push(words.map((w) => w.text));
    words = [];
    return undefined;
  };

  while (i < n) {
    const c = source[i] as string;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "\n" || c === ";" || c === "&" || c === "|") {
      if (c === "&" && source[i + 1] === ">") return fail("output is redirected to a file");
      const err = endCommand();
      if (err) return err;
      i +=
        (c === "&" && source[i + 1] === "&") || (c === "|" && (source[i + 1] === "|" || source[i + 1] === "&")) ? 2 : 1;
      if (c === ";" && source[i] === ";") return fail("';;' belongs to a case statement");
      continue;
    }
    if (c === "#") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c === "(" || c === ")") return fail("parentheses start a subshell");
    if (c === "<" || c === ">" || (/[0-9]/.test(c) && /^[0-9]+[<>]/.test(source.slice(i, i + 4)))) {
      const redirect = readRedirect(source, i);
      if ("reason" in redirect) return fail(redirect.reason);
      i = redirect.next;
      continue;
    }
    const word = readWord(source, i);
    if ("reason" in word) return fail(word.reason);
    words.push(word.word);
    i = word.next;
  }
  const err = endCommand();
  if (err) return err;
  if (commands.length === 0) return fail("the command is empty");
  return { ok: true, commands };
}

function readWord(s: string, start: number): { word: Word; next: number } | { reason: string } {
  let i = start;
  let text = "";
  let literal = true;
  while (i < s.length) {
    const c = s[i] as string;
    if (" \t\n;&|()<>".includes(c)) break;
    if (c === "`") return { reason: "backticks run a command substitution" };
    if (c === "\\") {
      if (i + 1 < s.length && s[i + 1] !== "\n") text += s[i + 1];
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return { reason: "a single quote is not closed" };
      text += s.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const d = s[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "`") return { reason: "backticks run a command substitution" };
        if (d === "\\" && i + 1 < s.length && '$`"\\\n'.includes(s[i + 1] as string)) {
          text += s[i + 1];
          i += 2;
          continue;
        }
        if (d === "$") {
          const exp = checkDollar(s, i);
          if (exp) return { reason: exp };
          literal = false;
        }
        text += d;
        i++;
      }
      if (!closed) return { reason: "a double quote is not closed" };
      continue;
    }
    if (c === "$") {
      const exp = checkDollar(s, i);
      if (exp) return { reason: exp };
      literal = false;
    }
    if (c === "*" || c === "?" || c === "[" || c === "~" || c === "{") literal = false;
    text += c;
    i++;
  }
  return { word: { text, literal }, next: i };
}

/** `$(…)`, `$((…))` and `${…}` are refused; `$NAME` is an expansion the caller marks non-literal. */
function checkDollar(s: string, i: number): string | undefined {
  const next = s[i + 1];
  if (next === "(") return "$( ) runs a command substitution";
  if (next === "{") return "$-brace expansions are not analyzable";
  if (next === "'" || next === '"') return "$'…' and $\"…\" quoting are not analyzable";
  return undefined;
}

function readRedirect(s: string, start: number): { next: number } | { reason: string } {
  let i = start;
  while (/[0-9]/.test(s[i] ?? "")) i++;
  const op = s[i] as string;
  if ((op === "<" || op === ">") && s[i + 1] === "(") return { reason: "process substitution runs a command" };
  if (op === "<" && s[i + 1] === "<") return { reason: "here-documents are not analyzable" };
  let j = i + 1;
  if (op === ">" && (s[j] === ">" || s[j] === "|")) j++;
  if (op === "<" && s[j] === ">") return { reason: "<> opens a file for writing" };
  const dup = s[j] === "&";
  if (dup) j++;
  while (s[j] === " " || s[j] === "\t") j++;
  const target = readWord(s, j);
  if ("reason" in target) return target;
  if (target.word.text === "") return { reason: "a redirection has no target" };
  if (dup) {
    if (!/^[0-9]+$|^-$/.test(target.word.text)) return { reason: "output is redirected to a file" };
    return { next: target.next };
  }
  if (op === "<") {
    if (!target.word.literal) return { reason: "an input redirection uses an expansion" };
    return { next: target.next };
  }
  if (!SAFE_OUTPUT_TARGETS.has(target.word.text)) return { reason: `output is redirected to ${target.word.text}` };
  return { next: target.next };
}
