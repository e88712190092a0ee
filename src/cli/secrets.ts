import type { Command } from "commander";

/**
 * `pincer secrets set|list|remove|rotate`: the encrypted vault of API keys and tokens. Values go in through
 * stdin or a hidden prompt (never a flag, which shell history would keep) and are never printed.
 */

async function vaultContext() {
  const { resolveStatePaths } = await import("../config/paths.js");
  const { Vault } = await import("../ops/vault.js");
  const paths = resolveStatePaths(process.env);
  return { paths, Vault };
}

/** Reads a secret: everything on stdin when it is piped, else a prompt that does not echo. */
async function readSecretValue(name: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
  process.stderr.write(`Value for ${name} (not shown): `);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const onData = (data: Buffer) => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          done();
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          done();
          reject(new Error("cancelled"));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    stdin.on("data", onData);
  });
}

/** Config paths (as written in pincer.json) that refer to each vault secret. */
async function referencesByName(configPath: string): Promise<Map<string, string[]>> {
  const { readFile } = await import("node:fs/promises");
  const { parseConfigDocument } = await import("../config/load.js");
  const { formatPath, isPlainObject } = await import("../config/config-path.js");
  const out = new Map<string, string[]>();
  let doc: unknown;
  try {
    doc = parseConfigDocument(configPath, await readFile(configPath, "utf8"));
  } catch {
    return out;
  }
  const walk = (v: unknown, at: (string | number)[]) => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, [...at, i]);
    } else if (isPlainObject(v)) {
      if (v.source === "vault" && typeof v.id === "string") {
        out.set(v.id, [...(out.get(v.id) ?? []), formatPath(at)]);
        return;
      }
      for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    }
  };
  walk(doc, []);
  return out;
}

export function registerSecretsCommands(program: Command): void {
  const secrets = program.command("secrets").description("API keys and tokens, encrypted at rest (AES-256-GCM)");

  secrets
    .command("set <name>")
    .description("store a secret (value from stdin, or a hidden prompt); --ref points a config field at it")
    .option(
      "--ref <path>",
      'also set this config path to { source: "vault", id: <name> }, e.g. models.providers.openai.apiKey',
    )
    .action(async (name: string, flags: { ref?: string }) => {
      const { paths, Vault } = await vaultContext();
      const value = await readSecretValue(name);
      const vault = await Vault.open(paths, process.env, { create: true });
      const existed = vault.has(name);
      await vault.set(name, value.trim());
      process.stdout.write(`${existed ? "Updated" : "Stored"} secret "${name}" (key: ${vault.keyLocation}).\n`);
      if (flags.ref) {
        const { ConfigStore } = await import("../config/store.js");
        const { parsePath, setAtPath } = await import("../config/config-path.js");
        const patch: Record<string, unknown> = {};
        setAtPath(patch, parsePath(flags.ref), { source: "vault", id: name });
        const store = await ConfigStore.open(paths, process.env);
        await store.patch(JSON.stringify(patch), undefined, [flags.ref]);
        process.stdout.write(`${flags.ref} now refers to it.\n`);
      } else if (existed) {
        process.stdout.write("A running gateway uses the new value after its next config reload or restart.\n");
      }
    });

  secrets
    .command("list")
    .description("names of stored secrets, when they changed, and where the config uses them (never values)")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const { paths, Vault } = await vaultContext();
      const { existsSync } = await import("node:fs");
      const { vaultPath } = await import("../ops/vault.js");
      const list = existsSync(vaultPath(paths.credentialsDir)) ? (await Vault.open(paths, process.env)).list() : [];
      const refs = await referencesByName(paths.configPath);
      const rows = list.map((s) => ({ ...s, usedBy: refs.get(s.name) ?? [] }));
      const missing = [...refs.entries()].filter(([name]) => !list.some((s) => s.name === name));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ secrets: rows, missing: Object.fromEntries(missing) }, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) process.stdout.write("The vault holds no secrets (pincer secrets set <name> adds one).\n");
      for (const r of rows) {
        process.stdout.write(
          `${r.name}  updated ${r.updatedAt}${r.usedBy.length ? `  used by ${r.usedBy.join(", ")}` : "  (unused)"}\n`,
        );
      }
      for (const [name, at] of missing) {
        process.stdout.write(`MISSING ${name}: referenced by ${at.join(", ")} but not in the vault\n`);
      }
      if (missing.length > 0) process.exitCode = 1;
    });

  secrets
    .command("remove <name>")
    .description("delete a secret from the vault")
    .action(async (name: string) => {
      const { paths, Vault } = await vaultContext();
      const vault = await Vault.open(paths, process.env);
      const refs = (await referencesByName(paths.configPath)).get(name);
      if (refs?.length) {
        throw new Error(`secret "${name}" is still used by ${refs.join(", ")}: point those elsewhere first`);
      }
      if (!(await vault.remove(name))) throw new Error(`the vault has no secret "${name}"`);
      process.stdout.write(`Removed secret "${name}".\n`);
    });

  secrets
    .command("rotate")
    .description(
      "re-encrypt every secret under a new vault key (PINCER_VAULT_NEW_KEY when the key is in PINCER_VAULT_KEY)",
    )
    .action(async () => {
      const { paths, Vault } = await vaultContext();
      const vault = await Vault.open(paths, process.env);
      const result = await vault.rotateKey(process.env);
      process.stdout.write(
        result.envChangeNeeded
          ? `Re-encrypted ${vault.list().length} secret(s). Now set PINCER_VAULT_KEY to the value of PINCER_VAULT_NEW_KEY wherever the gateway runs.\n`
          : `Re-encrypted ${vault.list().length} secret(s) under a new key in ${result.keyLocation}.\n`,
      );
    });
}
