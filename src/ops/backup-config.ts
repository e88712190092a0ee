import { z } from "zod";

/** `backup` in pincer.json: scheduled backups the running gateway takes of its own state folder. */
export const BackupConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Where archives go; default `<state folder>.backups`, beside the state folder so a restore never removes them. */
  dir: z.string().min(1).optional(),
  /** Hours between scheduled backups. */
  everyHours: z
    .number()
    .min(1)
    .max(24 * 31)
    .default(24),
  /** Scheduled archives kept; older ones are deleted after each new one. */
  keep: z.number().int().min(1).max(1000).default(7),
  /** Logs are left out by default: they are large and not needed to restore. */
  includeLogs: z.boolean().default(false),
});
export type BackupConfig = z.infer<typeof BackupConfigSchema>;
