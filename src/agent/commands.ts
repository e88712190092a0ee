/** Slash commands handled by the gateway itself, without a model call. */
export type SlashCommand =
  | { name: "new" | "reset"; arg: string }
  | { name: "model"; arg: string }
  | { name: "status"; arg: string }
  | { name: "compact"; arg: string }
  | { name: "stop"; arg: string };

const NAMES = new Set(["new", "reset", "model", "status", "compact", "stop"]);

/**
 * A message is a command when it starts with "/name" (optionally "/name@bot", as Telegram sends in groups)
 * followed by nothing or whitespace. Anything else is a normal message for the model.
 */
export function parseSlashCommand(text: string): SlashCommand | undefined {
  const m = /^\/([a-z]+)(?:@[\w.-]+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return undefined;
  const name = (m[1] as string).toLowerCase();
  if (!NAMES.has(name)) return undefined;
  return { name, arg: (m[2] ?? "").trim() } as SlashCommand;
}
