/**
 * Content from outside (webhook payloads, emails) reaches the agent fenced in `<untrusted source="…">` tags;
 * the system prompt (src/agent/prompt.ts) tells the model such content is data, never instructions. Tags
 * inside the content are defanged so a payload cannot close the fence and speak as the user.
 */
export function wrapUntrustedTag(content: string, source: string): string {
  const safeSource = source.replace(/["<>\n\r]/g, "_");
  const safe = content.replace(/<\s*(\/?)\s*untrusted\b/gi, "<$1untrusted-text");
  return `<untrusted source="${safeSource}">\n${safe}\n</untrusted>`;
}
