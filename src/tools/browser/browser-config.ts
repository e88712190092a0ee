import { existsSync } from "node:fs";
import { z } from "zod";
import { expandHome } from "../../config/paths.js";

/**
 * The `browser` section of pincer.json, read with OpenClaw's key names (enabled, executablePath, headless,
 * noSandbox, defaultProfile, profiles.<name>.{executablePath, headless}). The section is loose in the config
 * schema, so it is parsed here; unknown OpenClaw keys (cdpPort, attach modes) pass through unused.
 */

const ProfileName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, "profile names: letters, digits, _ and -");

export const BrowserConfigSchema = z
  .looseObject({
    enabled: z.boolean().default(true),
    executablePath: z.string().min(1).optional(),
    headless: z.boolean().default(true),
    /** Chromium's own sandbox cannot run as root; it is turned off automatically then. */
    noSandbox: z.boolean().optional(),
    defaultProfile: ProfileName.default("pincer"),
    profiles: z
      .record(
        ProfileName,
        z.looseObject({ executablePath: z.string().min(1).optional(), headless: z.boolean().optional() }),
      )
      .default({}),
    /** Navigation and action timeout, in ms. */
    timeoutMs: z.number().int().min(1000).default(30_000),
  })
  .prefault({});
export type BrowserConfig = z.infer<typeof BrowserConfigSchema>;

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

export function findChromium(configured: string | undefined): string | undefined {
  if (configured) return expandHome(configured);
  return CANDIDATES.find((p) => existsSync(p));
}
