/**
 * Attachments the gateway's chat.send can carry today: text files, inlined into the message as fenced blocks
 * named by file. Binary files (images, PDFs) are refused with a message rather than sent half-way.
 */

export interface Attachment {
  name: string;
  size: number;
  text: string;
}

/** Per file; the gateway caps a whole message too, and a long file is better summarised than pasted. */
export const MAX_ATTACHMENT_BYTES = 256 * 1024;

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-yaml|yaml|toml|x-sh|sql|csv))/;
const TEXT_EXTENSIONS =
  /\.(txt|md|markdown|json|jsonc|json5|ya?ml|toml|ini|cfg|conf|csv|tsv|log|xml|html?|css|js|mjs|cjs|ts|tsx|jsx|py|rb|go|rs|java|kt|c|h|cc|cpp|hpp|cs|php|sh|bash|zsh|sql|env|diff|patch)$/i;

export function isTextFile(name: string, type: string): boolean {
  return TEXT_TYPES.test(type) || TEXT_EXTENSIONS.test(name);
}

export async function readAttachment(file: File): Promise<Attachment | { problem: string }> {
  if (!isTextFile(file.name, file.type)) {
    return { problem: `${file.name}: only text files can be attached for now (this gateway takes text messages).` };
  }
  if (file.size > MAX_ATTACHMENT_BYTES) {
    return {
      problem: `${file.name} is ${Math.ceil(file.size / 1024)} KB; attach files up to ${MAX_ATTACHMENT_BYTES / 1024} KB.`,
    };
  }
  const text = await file.text();
  if (text.includes("\u0000")) return { problem: `${file.name} looks binary; attach text files only.` };
  return { name: file.name, size: file.size, text };
}

/** The attachment as it goes into the message: a fence long enough not to be closed by the file's own. */
export function attachmentBlock(a: Attachment): string {
  const longestRun = Math.max(2, ...Array.from(a.text.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  const lang = /\.([A-Za-z0-9]+)$/.exec(a.name)?.[1] ?? "";
  return `Attached file **${a.name}**:\n${fence}${lang}\n${a.text}\n${fence}`;
}
