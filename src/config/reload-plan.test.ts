import { describe, expect, it } from "vitest";
import { reloadPlan } from "./reload-plan.js";
import { type PincerConfigInput, PincerConfigSchema } from "./schema.js";

const cfg = (input: PincerConfigInput) => PincerConfigSchema.parse(input);

describe("reloadPlan", () => {
  it("finds nothing to do for equal configs", () => {
    expect(reloadPlan(cfg({ gateway: { port: 1 } }), cfg({ gateway: { port: 1 } }))).toEqual({
      changedPaths: [],
      hot: [],
      restart: [],
    });
  });

  it.each<[string, PincerConfigInput, PincerConfigInput, { hot: string[]; restart: string[] }]>([
    ["port", {}, { gateway: { port: 1 } }, { hot: [], restart: ["gateway.port"] }],
    ["bind", {}, { gateway: { bind: "lan" } }, { hot: [], restart: ["gateway.bind"] }],
    ["auth token", {}, { gateway: { auth: { token: "t" } } }, { hot: [], restart: ["gateway.auth.token"] }],
    [
      "reload debounce",
      {},
      { gateway: { reload: { debounceMs: 5 } } },
      { hot: ["gateway.reload.debounceMs"], restart: [] },
    ],
    ["logging level", {}, { logging: { level: "debug" } }, { hot: ["logging.level"], restart: [] }],
    ["agent model", {}, { agents: { defaults: { model: "a/b" } } }, { hot: ["agents.defaults.model"], restart: [] }],
    [
      "agent list (an array is one value)",
      {},
      { agents: { list: [{ id: "x" }] } },
      { hot: ["agents.list"], restart: [] },
    ],
    ["session", {}, { session: { dmScope: "per-peer" } }, { hot: ["session.dmScope"], restart: [] }],
    ["channels", {}, { channels: { telegram: { enabled: true } } }, { hot: ["channels"], restart: [] }],
    ["plugins", {}, { plugins: { x: 1 } }, { hot: [], restart: ["plugins"] }],
    [
      "a provider key and the port at once",
      { models: { providers: { p: { apiKey: "a" } } } },
      { gateway: { port: 2 }, models: { providers: { p: { apiKey: "b" } } } },
      { hot: ["models.providers.p.apiKey"], restart: ["gateway.port"] },
    ],
  ])("%s", (_name, prev, next, expected) => {
    const plan = reloadPlan(cfg(prev), cfg(next));
    expect({ hot: plan.hot, restart: plan.restart }).toEqual(expected);
    expect(plan.changedPaths.sort()).toEqual([...expected.hot, ...expected.restart].sort());
  });

  it("reports nested keys of a loose section by their leaf path", () => {
    const plan = reloadPlan(
      cfg({ channels: { telegram: { enabled: true } } }),
      cfg({ channels: { telegram: { enabled: false } } }),
    );
    expect(plan.hot).toEqual(["channels.telegram.enabled"]);
  });
});
