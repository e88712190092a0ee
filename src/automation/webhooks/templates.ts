/**
 * `{{…}}` templates over a webhook's JSON body: `{{field}}` or `{{payload.field}}`, nested paths with array
 * indexes (`{{messages[0].subject}}`), `{{headers.x-event}}`, `{{query.kind}}`, `{{path}}` and `{{now}}`.
 * A missing or null value renders as "" and is reported, so a caller can tell a sender's payload changed.
 */
export interface TemplateContext {
  payload: unknown;
  headers: Record<string, string>;
  query: Record<string, string>;
  path: string;
  now: Date;
}

export interface Rendered {
  text: string;
  /** Placeholders that found no value, as written (`messages[0].subject`). */
  missing: string[];
}

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;
/** A path segment: a name, or a bracketed index. Names may hold dashes (HTTP header names). */
const SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;
/** Names never followed into: reading them would reach Object.prototype, not the payload. */
const BLOCKED = new Set(["__proto__", "prototype", "constructor"]);

export function renderTemplate(template: string, ctx: TemplateContext): Rendered {
  const missing: string[] = [];
  const text = template.replace(PLACEHOLDER, (_m, expr: string) => {
    const value = lookup(expr, ctx);
    if (value === undefined || value === null) {
      missing.push(expr);
      return "";
    }
    return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  });
  return { text, missing };
}

function lookup(expr: string, ctx: TemplateContext): unknown {
  if (expr === "now") return ctx.now.toISOString();
  if (expr === "path") return ctx.path;
  const segments = [...expr.matchAll(SEGMENT)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
  const [head, ...rest] = segments;
  if (head === "headers" && typeof rest[0] === "string") return ctx.headers[rest.join(".").toLowerCase()];
  if (head === "query" && typeof rest[0] === "string") return ctx.query[rest.join(".")];
  return walk(ctx.payload, head === "payload" ? rest : segments);
}

function walk(value: unknown, path: (string | number)[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    if (typeof segment === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (BLOCKED.has(segment) || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
