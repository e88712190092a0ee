// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PincerError } from "../errors.js";
import { type ConfigSnapshot, hashRaw } from "./load.js";
import { resolveStatePaths, type StatePaths } from "./paths.js";
import { REDACTED_SENTINEL } from "./redact.js";
import type { ReloadPlan } from "./reload-plan.js";
import { ConfigStore } from "./store.js";

let dir: string;
let paths: StatePaths;
let file: string;
const env = { GW_TOKEN: "env-token-value", PATH: process.env.PATH };

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "pincer-store-"));
  paths = resolveStatePaths({ HOME: dir, PINCER_STATE_DIR: dir });
  file = paths.configPath;
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const BASE = `{
  // hand-written
  gateway: { port: 4000, auth: { mode: "token", token: { source: "env", id: "GW_TOKEN" } }, reload: { debounceMs: 10 } },
  models: { providers: { p: { apiKey: "sk-literal", baseUrl: "$\${KEEP}" } } },
}
`;

async function openWith(raw: string | undefined = BASE): Promise<ConfigStore> {
  if (raw !== undefined) await fs.writeFile(file, raw);
  return ConfigStore.open(paths, env);
}

async function rejection(p: Promise<unknown>): Promise<PincerError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PincerError);
  return err as PincerError;
}

function changes(store: ConfigStore) {
  const seen: Array<{ next: ConfigSnapshot; prev: ConfigSnapshot; plan: ReloadPlan }> = [];
  store.onChange((next, prev, plan) => seen.push({ next, prev, plan }));
  return seen;
}

describe("ConfigStore.open", () => {
  it("loads a valid file, and opens on defaults when there is none", async () => {
    const store = await openWith();
    expect(store.current.config.gateway.port).toBe(4000);
    expect(store.current.config.gateway.auth.token).toBe("env-token-value");
    const empty = await ConfigStore.open(
      resolveStatePaths({ HOME: dir, PINCER_STATE_DIR: path.join(dir, "none") }),
      env,
    );
    expect(empty.current.exists).toBe(false);
  });

  it("throws CONFIG_INVALID for an invalid file", async () => {
    const err = await rejection(openWith("{ gateway: { port: 'x' } }"));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toContain("gateway.port: expected number, received string");
  });
});

describe("ConfigStore.getRedacted", () => {
  it("hides literal and resolved secrets in raw, parsed and config", async () => {
    const store = await openWith();
    const red = store.getRedacted();
    expect(red).toMatchObject({ path: file, exists: true, hash: store.current.hash, valid: true });
    expect(red.raw).toContain("// hand-written");
    expect(red.raw).not.toContain("sk-literal");
    expect(JSON.stringify(red)).not.toContain("sk-literal");
    expect(JSON.stringify(red)).not.toContain("env-token-value");
    expect(red.config.gateway.auth.token).toBe(REDACTED_SENTINEL);
    expect(red.config.models.providers.p?.apiKey).toBe(REDACTED_SENTINEL);
  });
});

describe("ConfigStore.set / apply", () => {
  it("writes atomically (0600, no temp files), swaps the snapshot, returns the plan and notifies once", async () => {
    const store = await openWith();
    const seen = changes(store);
    const before = store.current;
    const next = BASE.replace("port: 4000", "port: 4001").replace("// hand-written", "// edited");
    const { snapshot, plan } = await store.set(next, before.hash);
    expect(await fs.readFile(file, "utf8")).toBe(next);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(["pincer.json"]);
    expect(snapshot).toBe(store.current);
    expect(plan).toEqual({ changedPaths: ["gateway.port"], hot: [], restart: ["gateway.port"] });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.prev).toBe(before);
    expect((await store.apply(next.replace("4001", "4002"))).snapshot.config.gateway.port).toBe(4002);
  });

  it("rejects a stale baseHash with CONFLICT and writes nothing", async () => {
    const store = await openWith();
    const err = await rejection(store.set("{}", "0".repeat(64)));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toBe(`config changed since you read it (hash ${store.current.hash}); reload and retry`);
    expect(await fs.readFile(file, "utf8")).toBe(BASE);
  });

  it("treats a hand edit after the read as a conflict", async () => {
    const store = await openWith();
    const readHash = store.current.hash;
    await fs.writeFile(file, BASE.replace("4000", "4010"));
    expect((await rejection(store.set(BASE, readHash))).code).toBe("CONFLICT");
  });

  it("validates fully before writing: an invalid config leaves the file bytes and the snapshot unchanged", async () => {
    const store = await openWith();
    const seen = changes(store);
    const before = store.current;
    for (const bad of [
      "{ gateway: { port: 'x' } }",
      "{ nope: 1 }",
      "{ a: ",
      '{ gateway: { bind: "${MISSING_VAR}" } }',
    ]) {
      expect((await rejection(store.set(bad, before.hash))).code).toBe("CONFIG_INVALID");
    }
    expect(await fs.readFile(file, "utf8")).toBe(BASE);
    expect(store.current).toBe(before);
    expect(seen).toHaveLength(0);
  });

  it("can replace a file that was broken by hand after open", async () => {
    const store = await openWith();
    const errors: PincerError[] = [];
    store.onError((e) => errors.push(e));
    await fs.writeFile(file, "{ broken");
    const broken = await fs.readFile(file, "utf8");
    const { snapshot } = await store.set("{ gateway: { port: 4999 } }", hashRaw(broken));
    expect(snapshot.config.gateway.port).toBe(4999);
    expect(errors.map((e) => e.code)).toEqual(["CONFIG_INVALID"]);
  });

  it("round-trips a redacted raw: the sentinel becomes the secret again and comments survive", async () => {
    const store = await openWith();
    const red = store.getRedacted();
    await store.set(red.raw.replace("port: 4000", "port: 4005"), red.hash);
    const written = await fs.readFile(file, "utf8");
    expect(written).toContain('apiKey: "sk-literal"');
    expect(written).toContain("// hand-written");
    expect(written).not.toContain(REDACTED_SENTINEL);
    expect(store.current.config.models.providers.p?.apiKey).toBe("sk-literal");
  });
});

describe("ConfigStore.patch", () => {
  it("merges into the document as written, keeping ${VAR} escapes and SecretRefs", async () => {
    const store = await openWith();
    const { plan } = await store.patch('{ logging: { level: "debug" }, gateway: { port: null } }', store.current.hash);
    const doc = JSON5.parse(await fs.readFile(file, "utf8"));
    expect(doc.gateway.auth.token).toEqual({ source: "env", id: "GW_TOKEN" });
    expect(doc.models.providers.p.baseUrl).toBe("$${KEEP}");
    expect(doc.gateway.port).toBeUndefined();
    expect(store.current.config.gateway.port).toBe(18789);
    expect(plan.hot).toEqual(["logging.level"]);
    expect(plan.restart).toEqual(["gateway.port"]);
  });

  it("replaces objects at replacePaths", async () => {
    const store = await openWith();
    await store.patch('{ models: { providers: { p: { baseUrl: "http://new" } } } }', undefined, ["models.providers.p"]);
    expect(store.current.config.models.providers.p).toEqual({ baseUrl: "http://new", models: [] });
  });

  it("restores sentinels in a patch from the file", async () => {
    const store = await openWith();
    const red = store.getRedacted();
    await store.patch(JSON.stringify({ gateway: red.parsed && { auth: { token: REDACTED_SENTINEL, mode: "token" } } }));
    const doc = JSON5.parse(await fs.readFile(file, "utf8"));
    expect(doc.gateway.auth.token).toEqual({ source: "env", id: "GW_TOKEN" });
  });

  it.each([
    ["a bad type", '{ gateway: { port: "x" } }', "gateway.port: expected number, received string"],
    ["an unknown key", "{ gateway: { bogus: 1 } }", 'gateway.bogus: unknown key "bogus"'],
    ["a syntax error", "{ gateway: ", "(patch):1:12: JSON5 syntax error"],
    ["a non-object", "[1]", "a config patch must be an object"],
    [
      "a sentinel with nothing behind it",
      `{ gateway: { auth: { password: "${REDACTED_SENTINEL}" } } }`,
      "gateway.auth.password",
    ],
  ])("rejects %s and writes nothing", async (_name, patch, message) => {
    const store = await openWith();
    const before = store.current;
    const err = await rejection(store.patch(patch, before.hash));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toContain(message);
    expect(await fs.readFile(file, "utf8")).toBe(BASE);
    expect(await fs.readdir(dir)).toEqual(["pincer.json"]);
    expect(store.current).toBe(before);
  });

  it("rejects a stale baseHash", async () => {
    const store = await openWith();
    expect((await rejection(store.patch("{}", "stale"))).code).toBe("CONFLICT");
  });

  it("overrides a key from an $include'd file beside the $include, and refuses to delete one", async () => {
    await fs.writeFile(path.join(dir, "logging.json5"), "{ level: 'warn', file: '/tmp/x.log' }");
    const store = await openWith('{ logging: { $include: "logging.json5" } }');
    await store.patch("{ logging: { level: 'debug' } }");
    expect(store.current.config.logging).toMatchObject({ level: "debug", file: "/tmp/x.log" });
    expect(JSON5.parse(await fs.readFile(file, "utf8"))).toEqual({
      logging: { $include: "logging.json5", level: "debug" },
    });
    expect(await fs.readFile(path.join(dir, "logging.json5"), "utf8")).toBe("{ level: 'warn', file: '/tmp/x.log' }");

    const err = await rejection(store.patch("{ logging: { file: null } }"));
    expect(err.message).toContain(
      "cannot remove logging.file: the value comes from an $include'd file (logging.json5)",
    );
  });

  it("runs writes one at a time, each on top of the last", async () => {
    const store = await openWith();
    await Promise.all([
      store.patch("{ logging: { level: 'debug' } }"),
      store.patch("{ session: { mainKey: 'other' } }"),
      store.patch("{ agents: { defaults: { maxSteps: 3 } } }"),
    ]);
    expect(store.current.config).toMatchObject({
      logging: { level: "debug" },
      session: { mainKey: "other" },
      agents: { defaults: { maxSteps: 3 } },
    });
  });
});

describe("ConfigStore.watch", () => {
  /** Resolves with the next change or error the store reports. */
  function nextReport(store: ConfigStore) {
    return new Promise<{ kind: "change"; plan: ReloadPlan } | { kind: "error"; err: PincerError }>((resolve) => {
      const offChange = store.onChange((_n, _p, plan) => {
        offChange();
        offError();
        resolve({ kind: "change", plan });
      });
      const offError = store.onError((err) => {
        offChange();
        offError();
        resolve({ kind: "error", err });
      });
    });
  }

  async function editByRename(text: string, target = file) {
    // What editors do: write a new file, rename it over the old one (an in-place write could be seen half-done).
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.swp`);
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, target);
  }

  it("reloads a good edit with a plan, and keeps the last good snapshot on a bad one", async () => {
    const store = await openWith();
    const ac = new AbortController();
    try {
      await store.watch(ac.signal);

      let report = nextReport(store);
      await editByRename(BASE.replace("port: 4000", "port: 4100"));
      expect(await report).toEqual({
        kind: "change",
        plan: { changedPaths: ["gateway.port"], hot: [], restart: ["gateway.port"] },
      });
      expect(store.current.config.gateway.port).toBe(4100);

      const good = store.current;
      report = nextReport(store);
      await editByRename("{ gateway: { port: 'nope' } }");
      const bad = await report;
      expect(bad.kind).toBe("error");
      expect(bad.kind === "error" && bad.err.code).toBe("CONFIG_INVALID");
      expect(bad.kind === "error" && bad.err.message).toContain("gateway.port");
      expect(store.current).toBe(good);

      report = nextReport(store);
      await editByRename(BASE.replace("port: 4000", "port: 4200"));
      expect((await report).kind).toBe("change");
      expect(store.current.config.gateway.port).toBe(4200);
    } finally {
      ac.abort();
    }
  });

  it("does not report its own writes a second time", async () => {
    const store = await openWith();
    const seen = changes(store);
    const ac = new AbortController();
    try {
      await store.watch(ac.signal);
      await store.patch("{ logging: { level: 'debug' } }");
      const report = nextReport(store);
      await editByRename(BASE.replace("port: 4000", "port: 4300"));
      await report;
      // Our write, then the hand edit: the watcher's reload of our own write changed nothing and said nothing.
      expect(seen.map((c) => c.plan.changedPaths)).toEqual([["logging.level"], ["gateway.port", "logging.level"]]);
    } finally {
      ac.abort();
    }
  });

  it("follows edits to $include'd files", async () => {
    await fs.mkdir(path.join(dir, "parts"));
    await fs.writeFile(path.join(dir, "parts", "logging.json5"), "{ level: 'warn' }");
    const store = await openWith(
      '{ gateway: { reload: { debounceMs: 5 } }, logging: { $include: "parts/logging.json5" } }',
    );
    const ac = new AbortController();
    try {
      await store.watch(ac.signal);
      const report = nextReport(store);
      await editByRename("{ level: 'error' }", path.join(dir, "parts", "logging.json5"));
      expect(await report).toEqual({
        kind: "change",
        plan: { changedPaths: ["logging.level"], hot: ["logging.level"], restart: [] },
      });
    } finally {
      ac.abort();
    }
  });

  it("keeps unsubscribed listeners quiet and survives a throwing listener", async () => {
    const store = await openWith();
    let calls = 0;
    const off = store.onChange(() => {
      calls += 1;
    });
    off();
    store.onChange(() => {
      throw new Error("boom");
    });
    const errors: PincerError[] = [];
    store.onError((e) => errors.push(e));
    await store.patch("{ logging: { level: 'debug' } }");
    expect(calls).toBe(0);
    expect(errors.map((e) => e.message)).toEqual(["a config change listener failed: boom"]);
  });
});
