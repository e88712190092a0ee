// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PincerError } from "../errors.js";
import { hashRaw, loadConfig } from "./load.js";
import { DEFAULT_PORT } from "./schema.js";

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "pincer-load-"));
  file = path.join(dir, "pincer.json");
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
  await fs.writeFile(path.join(dir, name), text);
}

/** Loads and returns the CONFIG_INVALID error it must fail with. */
async function loadError(env: NodeJS.ProcessEnv = {}): Promise<PincerError> {
  const err = await loadConfig(file, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PincerError);
  expect((err as PincerError).code).toBe("CONFIG_INVALID");
  return err as PincerError;
}

function issues(err: PincerError): Array<{ path: string; message: string }> {
  return (err.details as { issues: Array<{ path: string; message: string }> }).issues;
}

describe("loadConfig: the file", () => {
  it("treats a missing file as all defaults", async () => {
    const s = await loadConfig(file, {});
    expect(s).toMatchObject({ path: file, exists: false, raw: "", parsed: {}, hash: hashRaw("") });
    expect(s.config.gateway.port).toBe(DEFAULT_PORT);
    expect(hashRaw("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("reads JSON5 (comments, trailing commas, unquoted keys) and hashes the raw bytes", async () => {
    const raw = "// mine\n{ gateway: { port: 1234, }, /* note */ logging: { level: 'debug' } }\n";
    await write("pincer.json", raw);
    const s = await loadConfig(file, {});
    expect(s.exists).toBe(true);
    expect(s.raw).toBe(raw);
    expect(s.hash).toBe(hashRaw(raw));
    expect(s.config.gateway.port).toBe(1234);
    expect(s.config.logging.level).toBe("debug");
    expect(s.config.gateway.bind).toBe("loopback");
  });

  it("names line and column of a syntax error", async () => {
    await write("pincer.json", "{\n  gateway: {\n    port: 80,,\n  }\n}");
    const err = await loadError();
    expect(err.message).toMatch(new RegExp(`^${file}:3:14: JSON5 syntax error: invalid character ','`));
    expect(issues(err)[0]).toMatchObject({ line: 3, column: 14 });
  });

  it("rejects an empty file and a non-object document", async () => {
    await write("pincer.json", "  \n");
    expect((await loadError()).message).toContain("the file is empty");
    await write("pincer.json", "[1, 2]");
    expect((await loadError()).message).toContain("the top level must be an object, not an array");
  });

  it("names an unknown key with its full path", async () => {
    await write("pincer.json", "{ gateway: { prot: 1 }, bogus: true }");
    const err = await loadError();
    expect(err.message).toContain(file);
    expect(issues(err)).toEqual([
      { path: "gateway.prot", message: 'unknown key "prot" in gateway' },
      { path: "bogus", message: 'unknown key "bogus"' },
    ]);
  });

  it("names a bad type with the expected and received types", async () => {
    await write("pincer.json", '{ gateway: { port: "eighty" } }');
    const err = await loadError();
    expect(issues(err)).toEqual([{ path: "gateway.port", message: "expected number, received string" }]);
    expect(err.message).toContain("gateway.port: expected number, received string");
    expect(err.details).toMatchObject({ path: file });
  });

  it("explains a union mismatch as one expectation", async () => {
    await write("pincer.json", "{ models: { providers: { p: { apiKey: 5 } } } }");
    expect(issues(await loadError())).toEqual([
      { path: "models.providers.p.apiKey", message: "expected string or array, received number" },
    ]);
  });

  it("refuses __proto__ keys", async () => {
    await write("pincer.json", '{ channels: { "__proto__": { polluted: true } } }');
    expect(issues(await loadError())[0]?.path).toBe("channels.__proto__");
  });
});

describe("loadConfig: ${VAR}", () => {
  it("substitutes upper-case variables in strings, keeps $${VAR} literal and lower-case names", async () => {
    await write(
      "pincer.json",
      '{ gateway: { bind: "${BIND_HOST}" }, agents: { defaults: { workspace: "/w/${SUB}/$${SUB}/${lower}" } } }',
    );
    const s = await loadConfig(file, { BIND_HOST: "lan", SUB: "x" });
    expect(s.config.gateway.bind).toBe("lan");
    expect(s.config.agents.defaults.workspace).toBe("/w/x/${SUB}/${lower}");
    expect(s.parsed).toMatchObject({ gateway: { bind: "${BIND_HOST}" } });
  });

  it("names a missing variable and where it appeared", async () => {
    await write("pincer.json", '{ models: { providers: { openai: { apiKey: "${OPENAI_KEY}" } } } }');
    const err = await loadError({});
    expect(err.message).toContain(
      `${file}: models.providers.openai.apiKey: environment variable OPENAI_KEY is not set`,
    );
    expect(issues(err)).toEqual([
      { path: "models.providers.openai.apiKey", message: "environment variable OPENAI_KEY is not set" },
    ]);
  });

  it("treats an empty variable as missing", async () => {
    await write("pincer.json", '{ gateway: { bind: "${EMPTY}" } }');
    expect((await loadError({ EMPTY: "" })).message).toContain("environment variable EMPTY is empty");
  });
});

describe("loadConfig: $include", () => {
  it("deep-merges included files in order, siblings winning, relative to the including file", async () => {
    await write("pincer.json", '{ $include: ["base.json5", "more/extra.json5"], gateway: { port: 3000 } }');
    await write("base.json5", "{ gateway: { port: 1, bind: 'lan' }, logging: { level: 'warn' } }");
    await write("more/extra.json5", "{ logging: { level: 'debug' }, $include: 'leaf.json5' }");
    await write("more/leaf.json5", "{ session: { mainKey: 'leaf' } }");
    const s = await loadConfig(file, {});
    expect(s.config.gateway).toMatchObject({ port: 3000, bind: "lan" });
    expect(s.config.logging.level).toBe("debug");
    expect(s.config.session.mainKey).toBe("leaf");
    expect(s.includes.map((f) => path.relative(dir, f))).toEqual(["base.json5", "more/extra.json5", "more/leaf.json5"]);
    expect(s.parsed).toMatchObject({ $include: ["base.json5", "more/extra.json5"] });
  });

  it("includes into a nested key and reports a missing variable with the included file and full path", async () => {
    await write("pincer.json", '{ models: { providers: { $include: "providers.json5" } } }');
    await write("providers.json5", '{ openai: { apiKey: "${NOPE}" } }');
    const err = await loadError({});
    expect(err.message).toContain(`${path.join(dir, "providers.json5")}: models.providers.openai.apiKey`);
  });

  it("refuses a path that escapes the config folder with ..", async () => {
    await fs.writeFile(path.join(os.tmpdir(), `outside-${path.basename(dir)}.json5`), "{}");
    await write("pincer.json", `{ $include: "../outside-${path.basename(dir)}.json5" }`);
    const err = await loadError();
    expect(err.message).toContain("is outside the config folder");
    expect(issues(err)[0]?.path).toBe("$include");
    await fs.rm(path.join(os.tmpdir(), `outside-${path.basename(dir)}.json5`));
  });

  it("refuses an absolute path outside the folder", async () => {
    await write("pincer.json", '{ channels: { $include: "/etc/hostname" } }');
    const err = await loadError();
    expect(err.message).toContain("channels.$include");
    expect(err.message).toContain("outside the config folder");
  });

  it("refuses a symlink that points outside the folder", async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), "pincer-outside-"));
    await fs.writeFile(path.join(outside, "secret.json5"), "{}");
    await fs.symlink(path.join(outside, "secret.json5"), path.join(dir, "link.json5"));
    await write("pincer.json", '{ $include: "link.json5" }');
    expect((await loadError()).message).toContain("is a symlink to");
    await fs.rm(outside, { recursive: true, force: true });
  });

  it("names an include cycle", async () => {
    await write("pincer.json", '{ $include: "a.json5" }');
    await write("a.json5", '{ $include: "b.json5" }');
    await write("b.json5", '{ $include: "a.json5" }');
    expect((await loadError()).message).toContain("include cycle: a.json5 -> b.json5 -> a.json5");
  });

  it("names a missing included file and a bad $include value", async () => {
    await write("pincer.json", '{ $include: "nope.json5" }');
    expect((await loadError()).message).toContain('"nope.json5" does not exist');
    await write("pincer.json", "{ $include: 5 }");
    expect((await loadError()).message).toContain("must be a file name or an array of file names");
  });

  it("reports a syntax error inside an included file with that file's line and column", async () => {
    await write("pincer.json", '{ $include: "bad.json5" }');
    await write("bad.json5", "{\n x: }");
    expect((await loadError()).message).toMatch(/bad\.json5:2:5: JSON5 syntax error/);
  });
});

describe("loadConfig: SecretRefs", () => {
  it("resolves env, file (relative to the config folder, trimmed) and exec refs, and records their paths", async () => {
    await write("token.txt", "  file-secret\n");
    await write(
      "pincer.json",
      JSON.stringify({
        gateway: { auth: { mode: "token", token: { source: "file", id: "token.txt" } } },
        models: {
          providers: {
            a: { apiKey: { source: "env", id: "A_KEY" } },
            b: { apiKey: [{ source: "exec", id: "printf '%s\\n' 'exec secret'" }, "plain"] },
          },
        },
      }),
    );
    const s = await loadConfig(file, { A_KEY: "env-secret", PATH: process.env.PATH });
    expect(s.config.gateway.auth.token).toBe("file-secret");
    expect(s.config.models.providers.a?.apiKey).toBe("env-secret");
    expect(s.config.models.providers.b?.apiKey).toEqual(["exec secret", "plain"]);
    expect(s.secretPaths.sort()).toEqual([
      "gateway.auth.token",
      "models.providers.a.apiKey",
      "models.providers.b.apiKey[0]",
    ]);
    expect(s.parsed).toMatchObject({ models: { providers: { a: { apiKey: { source: "env", id: "A_KEY" } } } } });
  });

  it.each([
    [{ source: "env", id: "MISSING_VAR" }, "secret env variable MISSING_VAR is not set"],
    [{ source: "file", id: "nope.txt" }, "cannot read secret file"],
    [{ source: "exec", id: "definitely-not-a-command-xyz" }, "command not found: definitely-not-a-command-xyz"],
    [{ source: "exec", id: "false" }, 'secret command "false" exited with 1'],
    [{ source: "exec", id: "'unclosed" }, "unclosed ' quote"],
  ])("names a ref that cannot resolve: %j", async (ref, message) => {
    await write("pincer.json", JSON.stringify({ gateway: { auth: { token: ref } } }));
    const err = await loadError({ PATH: process.env.PATH });
    expect(err.message).toContain("gateway.auth.token");
    expect(err.message).toContain(message);
  });
});
