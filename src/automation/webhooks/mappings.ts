import type { HookMapping, HooksConfig } from "./config-schema.js";
import { PRESETS } from "./gmail-preset.js";

/** One candidate mapping for POST <hooks.path>/<name>, custom mappings first, then presets, in order. */
export interface MappingEntry {
  id: string;
  mapping: HookMapping;
  accepts(payload: unknown): boolean;
  prepare(payload: unknown): unknown;
}

export function mappingEntries(config: HooksConfig): MappingEntry[] {
  const custom = config.mappings.map(
    (mapping, i): MappingEntry => ({
      id: mapping.id ?? `mapping-${i}`,
      mapping,
      accepts: () => true,
      prepare: (payload) => payload,
    }),
  );
  const presets = config.presets.flatMap((name) =>
    (PRESETS[name] ?? []).map((p): MappingEntry => ({ id: p.mapping.id ?? name, ...p })),
  );
  return [...custom, ...presets];
}

/** Unknown preset names: reported at start so a typo does not silently leave a path unmapped. */
export function unknownPresets(config: HooksConfig): string[] {
  return config.presets.filter((name) => !PRESETS[name]);
}

/**
 * The first mapping that owns this request: its `match.path` (when set) equals the sub-path, its
 * `match.source` (when set) equals the payload's `source`, and it accepts the payload's shape.
 */
export function findMapping(entries: MappingEntry[], subPath: string, payload: unknown): MappingEntry | undefined {
  const source = (payload as { source?: unknown } | null)?.source;
  return entries.find((e) => {
    const match = e.mapping.match;
    if (match?.path !== undefined && match.path.replace(/^\/+|\/+$/g, "") !== subPath) return false;
    if (match?.source !== undefined && source !== match.source) return false;
    return e.accepts(payload);
  });
}
