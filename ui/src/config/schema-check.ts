/**
 * Checks a value against the config's JSON Schema (the draft 2020-12 subset zod emits: type, enum, const,
 * properties, required, additionalProperties, items, prefixItems, min/max bounds, pattern, anyOf, oneOf,
 * allOf, propertyNames, local $ref) as the person types. The gateway validates again on write; this gives the
 * same answer earlier. A bundled validator compiler (ajv) would need `eval`, which the page's CSP forbids.
 */

export type JsonSchema = { [key: string]: unknown };

export interface SchemaIssue {
  /** Dotted path into the document, `(root)` for the document itself. */
  path: string;
  message: string;
}

/** Most issues shown at once; a pasted document of the wrong shape would otherwise list hundreds. */
const MAX_ISSUES = 50;

export function checkAgainstSchema(value: unknown, root: JsonSchema): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(value, root, [], root, issues);
  return issues.slice(0, MAX_ISSUES);
}

function check(value: unknown, schema: unknown, path: string[], root: JsonSchema, out: SchemaIssue[]): void {
  if (schema === true || schema === undefined) return;
  if (schema === false) {
    out.push(issue(path, "is not allowed here"));
    return;
  }
  if (!isObject(schema)) return;
  if (typeof schema.$ref === "string") {
    check(value, resolveRef(schema.$ref, root), path, root, out);
    return;
  }
  // `${VAR}` and `$include` are resolved by the gateway when it loads the file; their final type is unknown here.
  if (typeof value === "string" && value.includes("${")) return;
  if (isObject(value) && "$include" in value) return;

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, String(t)))) {
      out.push(issue(path, `must be ${types.map(article).join(" or ")}, not ${describe(value)}`));
      return;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) {
    out.push(issue(path, `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`));
  }
  if ("const" in schema && !deepEqual(schema.const, value)) {
    out.push(issue(path, `must be ${JSON.stringify(schema.const)}`));
  }
  if (typeof value === "number") checkNumber(value, schema, path, out);
  if (typeof value === "string") checkString(value, schema, path, out);
  if (Array.isArray(value)) checkArray(value, schema, path, root, out);
  else if (isObject(value)) checkObject(value, schema, path, root, out);

  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) check(value, s, path, root, out);
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches)) continue;
    const results = branches.map((s) => {
      const found: SchemaIssue[] = [];
      check(value, s, path, root, found);
      return found;
    });
    const matching = results.filter((r) => r.length === 0).length;
    if (matching === 0) {
      // The branch that came closest explains the problem best: one whose type fits, then the fewest issues.
      const score = (i: number) => (results[i]?.length ?? 0) + (typeFits(value, branches[i], root) ? 0 : 1_000);
      let best = 0;
      for (let i = 1; i < results.length; i++) if (score(i) < score(best)) best = i;
      const closest = results[best] ?? [];
      out.push(...(closest.length > 0 ? closest : [issue(path, "does not match any allowed form")]));
    } else if (key === "oneOf" && matching > 1) {
      out.push(issue(path, "matches more than one allowed form"));
    }
  }
}

function checkNumber(value: number, schema: JsonSchema, path: string[], out: SchemaIssue[]): void {
  if (typeof schema.minimum === "number" && value < schema.minimum)
    out.push(issue(path, `must be ≥ ${schema.minimum}`));
  if (typeof schema.maximum === "number" && value > schema.maximum)
    out.push(issue(path, `must be ≤ ${schema.maximum}`));
  if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum)
    out.push(issue(path, `must be > ${schema.exclusiveMinimum}`));
  if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum)
    out.push(issue(path, `must be < ${schema.exclusiveMaximum}`));
}

function checkString(value: string, schema: JsonSchema, path: string[], out: SchemaIssue[]): void {
  const length = [...value].length;
  if (typeof schema.minLength === "number" && length < schema.minLength)
    out.push(
      issue(path, schema.minLength === 1 ? "must not be empty" : `must be at least ${schema.minLength} characters`),
    );
  if (typeof schema.maxLength === "number" && length > schema.maxLength)
    out.push(issue(path, `must be at most ${schema.maxLength} characters`));
  if (typeof schema.pattern === "string") {
    let re: RegExp | undefined;
    try {
      re = new RegExp(schema.pattern, "u");
    } catch {
      re = undefined; // a pattern this browser cannot compile is left to the gateway
    }
    if (re && !re.test(value)) out.push(issue(path, `must match ${schema.pattern}`));
  }
}

function checkArray(value: unknown[], schema: JsonSchema, path: string[], root: JsonSchema, out: SchemaIssue[]): void {
  if (typeof schema.minItems === "number" && value.length < schema.minItems)
    out.push(issue(path, `must have at least ${schema.minItems} item${schema.minItems === 1 ? "" : "s"}`));
  if (typeof schema.maxItems === "number" && value.length > schema.maxItems)
    out.push(issue(path, `must have at most ${schema.maxItems} items`));
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  value.forEach((item, i) => {
    check(item, i < prefix.length ? prefix[i] : schema.items, [...path, String(i)], root, out);
  });
}

function checkObject(
  value: Record<string, unknown>,
  schema: JsonSchema,
  path: string[],
  root: JsonSchema,
  out: SchemaIssue[],
): void {
  const props = isObject(schema.properties) ? schema.properties : {};
  if (Array.isArray(schema.required)) {
    for (const key of schema.required) {
      if (typeof key === "string" && !(key in value)) out.push(issue([...path, key], "is required"));
    }
  }
  for (const [key, child] of Object.entries(value)) {
    if (schema.propertyNames !== undefined) check(key, schema.propertyNames, [...path, key], root, out);
    if (key in props) {
      check(child, props[key], [...path, key], root, out);
    } else if (schema.additionalProperties === false) {
      const known = Object.keys(props);
      const hint = nearest(key, known);
      out.push(issue([...path, key], `is not a known setting${hint ? ` (did you mean "${hint}"?)` : ""}`));
    } else {
      check(child, schema.additionalProperties, [...path, key], root, out);
    }
  }
}

function typeFits(value: unknown, schema: unknown, root: JsonSchema): boolean {
  const s = isObject(schema) && typeof schema.$ref === "string" ? resolveRef(schema.$ref, root) : schema;
  if (!isObject(s) || s.type === undefined) return true;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types.some((t) => hasType(value, String(t)));
}

function resolveRef(ref: string, root: JsonSchema): unknown {
  if (!ref.startsWith("#")) return true;
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").filter(Boolean)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) ? node[key] : undefined;
  }
  return node ?? true;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number" && !Number.isInteger(value)) return `the number ${value}`;
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function article(type: string): string {
  return (
    {
      object: "an object",
      array: "a list",
      integer: "a whole number",
      number: "a number",
      string: "text",
      boolean: "true or false",
      null: "null",
    }[type] ?? type
  );
}

/** The known key closest to a mistyped one (edit distance ≤ 2), for "did you mean". */
function nearest(key: string, known: string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const temp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = temp;
    }
  }
  return row[b.length] ?? 0;
}

function issue(path: string[], message: string): SchemaIssue {
  return { path: path.length ? path.join(".") : "(root)", message };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
