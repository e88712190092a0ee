import { z } from "zod";
import { configJsonSchema } from "../../config/json-schema.js";
import { defineMethod } from "./types.js";

const WriteParams = z.looseObject({
  raw: z.string().min(1),
  baseHash: z.string().min(1).optional(),
  note: z.string().optional(),
});

/** What a write returns: the new hash and which changes applied live versus need a gateway restart. */
function writeResult(result: Awaited<ReturnType<import("../../config/store.js").ConfigStore["set"]>>) {
  return {
    ok: true,
    hash: result.snapshot.hash,
    path: result.snapshot.path,
    changedPaths: result.plan.changedPaths,
    hotApplied: result.plan.hot,
    restartRequired: result.plan.restart.length > 0,
    restartPaths: result.plan.restart,
  };
}

export const configGetMethod = defineMethod({
  name: "config.get",
  scope: "operator.read",
  params: z.looseObject({}),
  handler: (_params, { services }) => services.config.getRedacted(),
});

export const configSetMethod = defineMethod({
  name: "config.set",
  scope: "operator.admin",
  params: WriteParams,
  handler: async (params, { services }) => writeResult(await services.config.set(params.raw, params.baseHash)),
});

export const configApplyMethod = defineMethod({
  name: "config.apply",
  scope: "operator.admin",
  params: WriteParams,
  handler: async (params, { services }) => writeResult(await services.config.apply(params.raw, params.baseHash)),
});

export const configPatchMethod = defineMethod({
  name: "config.patch",
  scope: "operator.admin",
  params: WriteParams.extend({ replacePaths: z.array(z.string().min(1)).max(256).optional() }),
  handler: async (params, { services }) =>
    writeResult(await services.config.patch(params.raw, params.baseHash, params.replacePaths)),
});

export const configSchemaMethod = defineMethod({
  name: "config.schema",
  scope: "operator.read",
  params: z.looseObject({}),
  handler: (_params, { services }) => ({
    schema: configJsonSchema(),
    uiHints: {},
    version: services.version,
    generatedAt: new Date(services.startedAt).toISOString(),
  }),
});
