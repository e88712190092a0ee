import { isAbsolute, join, relative, resolve } from "node:path";
import { formatPath, isPlainObject, type PathSegment, unsetAtPath } from "../../config/config-path.js";
import { PincerConfigSchema, SecretRefSchema } from "../../config/schema.js";

/**
 * openclaw.json → pincer.json. Pincer reads OpenClaw's key names, so most of the file carries over as it is;
 * this turns the shapes that differ (agents.entries map → agents.list), points workspaces that lived inside
 * ~/.openclaw at Pincer's state folder, and then drops whatever Pincer's schema does not accept, one path at
 * a time, so every dropped setting is named in the report instead of failing the whole import.
 */

export interface Dropped {
  path: string;
  reason: string;
}

export interface WorkspaceCopy {
  agentId: string;
  from: string;
  to: string;
}

export interface ConvertedConfig {
  config: Record<string, unknown>;
  dropped: Dropped[];
  workspaces: WorkspaceCopy[];
}

/** OpenClaw bookkeeping with no meaning for Pincer. */
const BOOKKEEPING = ["wizard", "meta"];
/** Bound on drop-and-revalidate rounds; each round removes at least one path. */
const MAX_ROUNDS = 200;
const PLACEHOLDER = "pincer-import-secret-ref";

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function expand(p: string, home: string): string {
  return p === "~" || p.startsWith("~/") ? join(home, p.slice(1)) : resolve(p);
}

/** Replaces SecretRefs by a string for validation (the schema sees resolved secrets), returning their paths. */
function maskRefs(
  value: unknown,
  at: PathSegment[] = [],
  found: PathSegment[][] = [],
): { masked: unknown; refs: PathSegment[][] } {
  if (Array.isArray(value)) return { masked: value.map((v, i) => maskRefs(v, [...at, i], found).masked), refs: found };
  if (!isPlainObject(value)) return { masked: value, refs: found };
  if (SecretRefSchema.safeParse(value).success) {
    found.push(at);
    return { masked: PLACEHOLDER, refs: found };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskRefs(v, [...at, k], found).masked;
  return { masked: out, refs: found };
}

export function convertOpenClawConfig(
  source: Record<string, unknown>,
  ctx: { openclawDir: string; pincerWorkspace: string; home: string },
): ConvertedConfig {
  const doc = structuredClone(source);
  const dropped: Dropped[] = [];
  const workspaces: WorkspaceCopy[] = [];
  for (const key of BOOKKEEPING) delete doc[key];

  const agents = isPlainObject(doc.agents) ? doc.agents : undefined;
  const defaults = agents && isPlainObject(agents.defaults) ? agents.defaults : undefined;
  const ocDefaultWorkspace =
    typeof defaults?.workspace === "string" ? expand(defaults.workspace, ctx.home) : join(ctx.openclawDir, "workspace");
  if (defaults && typeof defaults.workspace === "string" && inside(ctx.openclawDir, ocDefaultWorkspace))
    delete defaults.workspace;

  if (agents && isPlainObject(agents.entries)) {
    // OpenClaw keys agents by id in a map; Pincer lists them.
    const list: Record<string, unknown>[] = Array.isArray(agents.list)
      ? (agents.list as Record<string, unknown>[])
      : [];
    for (const [id, raw] of Object.entries(agents.entries)) {
      if (!isPlainObject(raw)) continue;
      const { agentDir: _agentDir, identity, ...rest } = raw;
      const entry: Record<string, unknown> = { id, ...rest };
      if (!entry.name && isPlainObject(identity) && typeof identity.name === "string") entry.name = identity.name;
      if (identity !== undefined)
        dropped.push({
          path: `agents.entries.${id}.identity`,
          reason: "Pincer reads the agent's identity from IDENTITY.md in its workspace",
        });
      list.push(entry);
    }
    delete agents.entries;
    agents.list = list;
  }
  const list = agents && Array.isArray(agents.list) ? (agents.list as Record<string, unknown>[]) : [];
  const defaultId = (list.find((a) => a.default === true) ?? list[0])?.id ?? "main";
  workspaces.push({ agentId: String(defaultId), from: ocDefaultWorkspace, to: ctx.pincerWorkspace });
  for (const entry of list) {
    if (typeof entry.workspace !== "string") continue;
    const ws = expand(entry.workspace, ctx.home);
    if (!inside(ctx.openclawDir, ws)) continue; // a folder of the user's own stays where it is
    delete entry.workspace;
    if (ws === ocDefaultWorkspace) continue;
    const to = entry.id === defaultId ? ctx.pincerWorkspace : `${ctx.pincerWorkspace}-${String(entry.id)}`;
    workspaces.push({ agentId: String(entry.id), from: ws, to });
  }
  if (isPlainObject(doc.plugins)) {
    dropped.push({
      path: "plugins",
      reason: "OpenClaw plugins do not run in Pincer; channels, tools and skills have their own settings",
    });
    delete doc.plugins;
  }

  // Drop what the schema refuses, one issue at a time, naming each.
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const { masked } = maskRefs(doc);
    const parsed = PincerConfigSchema.safeParse(masked);
    if (parsed.success) break;
    const issue = parsed.error.issues[0];
    if (!issue) break;
    const at = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        unsetAtPath(doc, [...at, key]);
        dropped.push({ path: formatPath([...at, key]), reason: "not a Pincer setting" });
      }
      continue;
    }
    // A missing required key cannot be removed: its parent object goes instead.
    const target = unsetAtPath(doc, at)
      ? at
      : at.length > 1 && unsetAtPath(doc, at.slice(0, -1))
        ? at.slice(0, -1)
        : undefined;
    if (!target) {
      dropped.push({ path: formatPath(at) || "(top level)", reason: issue.message });
      break;
    }
    dropped.push({ path: formatPath(target), reason: `not valid for Pincer: ${formatPath(at)}: ${issue.message}` });
  }
  return { config: doc, dropped, workspaces };
}

/** Config fields that hold a secret (apiKey may be a list of keys). */
const SECRET_FIELD = /^(token|password|apiKey|botToken|appToken|signingSecret|webhookSecret|secret|clientSecret)$/;

export interface PlainSecret {
  path: PathSegment[];
  /** Vault name derived from the path. */
  name: string;
  value: string;
}

/** Secrets written in clear in a config document (not `${VAR}`, not SecretRefs), to move into the vault. */
export function plainSecrets(doc: unknown, at: PathSegment[] = [], out: PlainSecret[] = []): PlainSecret[] {
  const key = at[at.length - 1];
  const parentKey = typeof key === "number" ? at[at.length - 2] : key;
  if (typeof doc === "string") {
    if (typeof parentKey === "string" && SECRET_FIELD.test(parentKey) && doc && !/^\$\{[A-Z0-9_]+\}$/.test(doc)) {
      const name = at
        .map(String)
        .join(".")
        .replace(/[^A-Za-z0-9._-]/g, "_")
        .slice(0, 128);
      out.push({ path: at, name, value: doc });
    }
  } else if (Array.isArray(doc)) {
    for (const [i, v] of doc.entries()) plainSecrets(v, [...at, i], out);
  } else if (isPlainObject(doc) && !SecretRefSchema.safeParse(doc).success) {
    for (const [k, v] of Object.entries(doc)) plainSecrets(v, [...at, k], out);
  }
  return out;
}
