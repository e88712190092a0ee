import { z } from "zod";

/**
 * `skills.*` in pincer.json (OpenClaw's keys): where extra skills load from, which bundled skills are allowed,
 * and per-skill switches, keys and environment. Per-agent visibility is `agents.defaults.skills` /
 * `agents.list[].skills` (a list of skill names; `[]` means none).
 */
export const SkillEntryConfigSchema = z.looseObject({
  /** false turns the skill off for every agent. */
  enabled: z.boolean().optional(),
  /** Value for the skill's `primaryEnv` variable (e.g. its API key). */
  apiKey: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

export const SkillsConfigSchema = z
  .looseObject({
    /** When set, only these bundled skills are eligible; other sources are unaffected. */
    allowBundled: z.array(z.string().min(1)).optional(),
    load: z
      .looseObject({
        /** Extra skill folders, lowest precedence. `~` expands to the home folder. */
        extraDirs: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    install: z
      .looseObject({
        /** Install skills whose scan finds high-severity patterns (off: they are refused). */
        allowUnsafe: z.boolean().default(false),
      })
      .prefault({}),
    entries: z.record(z.string().min(1), SkillEntryConfigSchema).default({}),
  })
  .prefault({});
export type SkillsConfig = z.infer<typeof SkillsConfigSchema>;

/** A per-agent skill allowlist: names the agent may see. */
export const AgentSkillsSchema = z.array(z.string().min(1));
