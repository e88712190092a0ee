import { PincerError } from "../../errors.js";
import { formatIssues } from "../protocol/frames.js";
import type { MethodContext, MethodDef } from "./types.js";

/** The gateway's methods by name. Registration is explicit (see methods/index.ts), never an import side effect. */
export class MethodRegistry {
  private readonly defs = new Map<string, MethodDef>();

  // biome-ignore lint/suspicious/noExplicitAny: handlers are checked against their own schema at definition.
  register(...defs: MethodDef<any>[]): void {
    for (const def of defs) {
      if (this.defs.has(def.name)) throw new Error(`method ${def.name} registered twice`);
      this.defs.set(def.name, def);
    }
  }

  names(): string[] {
    return [...this.defs.keys()].sort();
  }

  get(name: string): MethodDef | undefined {
    return this.defs.get(name);
  }

  /** Scope check, params validation, then the handler. Every failure is a PincerError. */
  async call(name: string, rawParams: unknown, ctx: MethodContext): Promise<unknown> {
    const def = this.defs.get(name);
    if (!def) throw new PincerError("UNKNOWN_METHOD", `unknown method "${name}"`, { details: { method: name } });
    const { scopes } = ctx.caller;
    if (!scopes.has(def.scope) && !scopes.has("operator.admin")) {
      throw new PincerError("FORBIDDEN", `method ${name} needs scope ${def.scope}`, {
        details: { code: "MISSING_SCOPE", missingScope: def.scope },
      });
    }
    const parsed = def.params.safeParse(rawParams ?? {});
    if (!parsed.success) {
      throw new PincerError("INVALID_REQUEST", `invalid params for ${name}: ${formatIssues(parsed.error, "params")}`, {
        details: {
          issues: parsed.error.issues.map((i) => ({
            path: ["params", ...i.path.map(String)].join("."),
            message: i.message,
          })),
        },
      });
    }
    return def.handler(parsed.data, ctx);
  }
}
