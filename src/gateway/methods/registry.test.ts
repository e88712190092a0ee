import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { PincerError } from "../../errors.js";
import type { Scope } from "../protocol/frames.js";
import { MethodRegistry } from "./registry.js";
import { defineMethod, type MethodContext } from "./types.js";

const ctx = (scopes: Scope[]): MethodContext =>
  ({
    services: {} as never,
    caller: { connId: "c", scopes: new Set(scopes), clientId: "t", clientMode: "test" },
    signal: new AbortController().signal,
  }) satisfies MethodContext;

function registry() {
  const r = new MethodRegistry();
  r.register(
    defineMethod({
      name: "echo",
      scope: "operator.read",
      params: z.strictObject({ limit: z.number().int() }),
      handler: (p) => p.limit * 2,
    }),
    defineMethod({ name: "danger", scope: "operator.admin", params: z.object({}), handler: () => "done" }),
  );
  return r;
}

async function errorOf(p: Promise<unknown>): Promise<PincerError> {
  try {
    await p;
  } catch (err) {
    return err as PincerError;
  }
  throw new Error("expected a rejection");
}

describe("MethodRegistry", () => {
  it("validates params and calls the handler", async () => {
    expect(await registry().call("echo", { limit: 2 }, ctx(["operator.read"]))).toBe(4);
  });

  it("names the bad field", async () => {
    const err = await errorOf(registry().call("echo", { limit: "x" }, ctx(["operator.read"])));
    expect(err.code).toBe("INVALID_REQUEST");
    expect(err.message).toContain("params.limit");
  });

  it("rejects unknown params keys of strict methods", async () => {
    const err = await errorOf(registry().call("echo", { limit: 1, bogus: true }, ctx(["operator.read"])));
    expect(err.message).toMatch(/bogus/);
  });

  it("answers UNKNOWN_METHOD", async () => {
    expect((await errorOf(registry().call("nope", {}, ctx(["operator.admin"])))).code).toBe("UNKNOWN_METHOD");
  });

  it("enforces scopes, with admin implying all", async () => {
    const err = await errorOf(registry().call("danger", {}, ctx(["operator.read", "operator.write"])));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.details).toMatchObject({ missingScope: "operator.admin" });
    expect(await registry().call("echo", { limit: 1 }, ctx(["operator.admin"]))).toBe(2);
  });

  it("refuses a method registered twice", () => {
    const r = registry();
    expect(() =>
      r.register(defineMethod({ name: "echo", scope: "operator.read", params: z.object({}), handler: () => 1 })),
    ).toThrow(/twice/);
  });
});
