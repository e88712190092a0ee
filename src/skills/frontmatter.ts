import JSON5 from "json5";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { PincerError } from "../errors.js";

/**
 * SKILL.md: YAML frontmatter between `---` lines, then Markdown instructions (the AgentSkills format used by
 * OpenClaw and ClawHub). Gating lives in `metadata.openclaw` (older skills: `metadata.clawdbot`), which may
 * also be written as a JSON5 string. Every field is untrusted and parsed with the schemas below.
 */

const StringList = z.union([
  z
    .string()
    .min(1)
    .transform((s) => [s]),
  z.array(z.string().min(1)),
]);

export const SkillRequiresSchema = z.looseObject({
  bins: StringList.optional(),
  anyBins: StringList.optional(),
  env: StringList.optional(),
  config: StringList.optional(),
});

export const OpenClawSkillMetaSchema = z.looseObject({
  always: z.boolean().optional(),
  os: StringList.optional(),
  requires: SkillRequiresSchema.optional(),
  primaryEnv: z.string().min(1).optional(),
  skillKey: z.string().min(1).optional(),
  emoji: z.string().optional(),
  homepage: z.string().optional(),
});
export type OpenClawSkillMeta = z.infer<typeof OpenClawSkillMetaSchema>;

/** AgentSkills names: lowercase letters, digits and single hyphens, at most 64 (they become slash commands). */
export const SKILL_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const SkillFrontmatterSchema = z.looseObject({
  name: z
    .string()
    .regex(SKILL_NAME, "name: lowercase letters, digits and hyphens, at most 64 characters")
    .refine((n) => !n.includes("--"), "name: no double hyphens")
    .optional(),
  description: z.string().trim().min(1, "description is empty").max(1024, "description is over 1024 characters"),
  homepage: z.string().optional(),
  "user-invocable": z.boolean().optional(),
  "disable-model-invocation": z.boolean().optional(),
  metadata: z.unknown().optional(),
});

export interface ParsedSkill {
  name?: string;
  description: string;
  meta: OpenClawSkillMeta;
  userInvocable: boolean;
  modelInvocable: boolean;
  homepage?: string;
  body: string;
}

function invalid(file: string, why: string): PincerError {
  return new PincerError("INVALID_REQUEST", `${file}: ${why}`, { details: { code: "SKILL_INVALID" } });
}

/** Parses a SKILL.md; a missing or broken frontmatter is an INVALID_REQUEST naming the file and the problem. */
export function parseSkillFile(text: string, file: string): ParsedSkill {
  const src = text.replace(/^\uFEFF/, "");
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(src);
  if (!m)
    throw invalid(
      file,
      "no frontmatter: the file must start with a --- line, YAML (name, description), and a closing --- line",
    );
  let raw: unknown;
  try {
    raw = parseYaml(m[1] as string, { maxAliasCount: 10 });
  } catch (err) {
    throw invalid(file, `frontmatter is not valid YAML (${(err as Error).message.split("\n")[0]})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw invalid(file, "frontmatter must be a YAML mapping with name and description");
  const fm = SkillFrontmatterSchema.safeParse(raw);
  if (!fm.success) {
    const issue = fm.error.issues[0];
    throw invalid(
      file,
      `frontmatter ${issue?.path.join(".") || ""} ${issue?.message ?? "is invalid"}`.replace(/\s+/g, " "),
    );
  }
  return {
    ...(fm.data.name ? { name: fm.data.name } : {}),
    description: fm.data.description,
    meta: parseMetadata(fm.data.metadata, file),
    userInvocable: fm.data["user-invocable"] ?? true,
    modelInvocable: !(fm.data["disable-model-invocation"] ?? false),
    ...(fm.data.homepage ? { homepage: fm.data.homepage } : {}),
    body: src.slice(m[0].length),
  };
}

function parseMetadata(value: unknown, file: string): OpenClawSkillMeta {
  if (value === undefined || value === null) return {};
  let obj = value;
  if (typeof value === "string") {
    try {
      obj = JSON5.parse(value);
    } catch (err) {
      throw invalid(file, `metadata is not valid JSON5 (${(err as Error).message})`);
    }
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw invalid(file, "metadata must be a mapping");
  const record = obj as Record<string, unknown>;
  const block = record.openclaw ?? record.clawdbot;
  if (block === undefined) return {};
  const meta = OpenClawSkillMetaSchema.safeParse(block);
  if (!meta.success) {
    const issue = meta.error.issues[0];
    throw invalid(file, `metadata.openclaw.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  return meta.data;
}
