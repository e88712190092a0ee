import { useEffect, useMemo, useState } from "preact/hooks";
import { z } from "zod";
import { CallStatus } from "../app/call-status.js";
import { useGateway, useGatewayEvent } from "../app/gateway-context.js";
import { useCall } from "../app/use-call.js";
import { jsonErrorLocation, mergePatchDiff } from "../config/merge-patch-diff.js";
import { checkAgainstSchema, type JsonSchema, type SchemaIssue } from "../config/schema-check.js";
import { GatewayCallError } from "../gateway/client.js";

const ConfigSnapshotSchema = z.looseObject({ path: z.string(), hash: z.string(), parsed: z.unknown() });
const ConfigSchemaSchema = z.looseObject({ schema: z.record(z.string(), z.unknown()) });
const WriteResultSchema = z.looseObject({
  hash: z.string(),
  changedPaths: z.array(z.string()).optional(),
  restartRequired: z.boolean().optional(),
  restartPaths: z.array(z.string()).optional(),
});

type Check = { ok: true; value: unknown; issues: SchemaIssue[] } | { ok: false; error: string };

function checkText(text: string, schema: JsonSchema): Check {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${jsonErrorLocation(text, err)}` };
  }
  return { ok: true, value, issues: checkAgainstSchema(value, schema) };
}

/**
 * pincer.json as written (secrets redacted), validated against the gateway's JSON Schema on every keystroke,
 * and applied as a merge patch with config.patch + baseHash: a file changed meanwhile is never overwritten.
 */
type Outcome = { ok: boolean; text: string };

export function ConfigView() {
  const [snapshot, reloadSnapshot] = useCall("config.get", {}, ConfigSnapshotSchema);
  const [schema] = useCall("config.schema", {}, ConfigSchemaSchema);
  // Kept here: a successful write changes the hash, which remounts the editor on the new version.
  const [outcome, setOutcome] = useState<Outcome>();
  return (
    <section class="page">
      <CallStatus state={snapshot} what="the config">
        {(snap) => (
          <CallStatus state={schema} what="the config schema">
            {(s) => (
              <ConfigEditor
                key={snap.hash}
                snapshot={snap}
                schema={s.schema}
                reload={reloadSnapshot}
                onOutcome={setOutcome}
              />
            )}
          </CallStatus>
        )}
      </CallStatus>
      {outcome && (
        <p class={outcome.ok ? "ok" : "error"} role="alert" data-testid="config-outcome">
          {outcome.text}
        </p>
      )}
    </section>
  );
}

function ConfigEditor({
  snapshot,
  schema,
  reload,
  onOutcome: setOutcome,
}: {
  snapshot: z.infer<typeof ConfigSnapshotSchema>;
  schema: JsonSchema;
  reload: () => Promise<void>;
  onOutcome: (o: Outcome | undefined) => void;
}) {
  const gw = useGateway();
  const original = useMemo(() => JSON.stringify(snapshot.parsed ?? {}, null, 2), [snapshot]);
  const [text, setText] = useState(original);
  const [busy, setBusy] = useState(false);
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  const check = useMemo(() => checkText(text, schema), [text, schema]);
  const patch = check.ok ? mergePatchDiff(snapshot.parsed ?? {}, check.value) : undefined;
  const dirty = text !== original;
  const valid = check.ok && check.issues.length === 0;

  useEffect(() => setText(original), [original]);
  useGatewayEvent(
    (event, payload) => {
      if (event !== "config.changed") return;
      const hash = z.looseObject({ hash: z.string() }).safeParse(payload);
      if (!hash.success || hash.data.hash === snapshot.hash) return;
      if (dirty) setChangedElsewhere(true);
      else void reload();
    },
    [dirty, snapshot.hash, reload],
  );

  const apply = async () => {
    if (!valid || patch === undefined) return;
    setBusy(true);
    setOutcome(undefined);
    try {
      const raw = await gw.call("config.patch", { raw: JSON.stringify(patch), baseHash: snapshot.hash });
      const res = WriteResultSchema.safeParse(raw);
      const changed = res.success ? (res.data.changedPaths ?? []) : [];
      const restart =
        res.success && res.data.restartRequired
          ? ` Restart the gateway for: ${(res.data.restartPaths ?? []).join(", ")}.`
          : "";
      setOutcome({ ok: true, text: `Saved ${changed.length ? changed.join(", ") : "the config"}.${restart}` });
      await reload();
    } catch (err) {
      const conflict = err instanceof GatewayCallError && err.code === "CONFLICT";
      setOutcome({
        ok: false,
        text: conflict
          ? "The config file changed since it was loaded here; nothing was written. Reload to see the new version (your edits here are then lost)."
          : `The gateway refused the change: ${(err as Error).message}`,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div class="toolbar">
        <h1>Config</h1>
        <span class="meta grow" title={snapshot.path}>
          {snapshot.path}
        </span>
        <button type="button" onClick={() => void reload()} disabled={busy}>
          Reload
        </button>
        <button type="button" onClick={() => setText(original)} disabled={!dirty || busy}>
          Discard edits
        </button>
        <button
          type="button"
          class="primary"
          onClick={() => void apply()}
          disabled={!valid || patch === undefined || busy}
          data-testid="config-apply"
        >
          {busy ? "Applying…" : "Apply"}
        </button>
      </div>
      {changedElsewhere && (
        <p class="notice" role="status">
          The config was changed elsewhere while you were editing. Applying will be refused; reload first.
        </p>
      )}
      <textarea
        class="code-editor"
        spellcheck={false}
        aria-label="pincer.json"
        aria-invalid={!valid}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        data-testid="config-editor"
      />
      <div class="validation" aria-live="polite" data-testid="config-validation">
        {!check.ok && <p class="error">{check.error}</p>}
        {check.ok && check.issues.length > 0 && (
          <ul class="error">
            {check.issues.map((i) => (
              <li key={`${i.path}:${i.message}`}>
                <code>{i.path}</code> {i.message}
              </li>
            ))}
          </ul>
        )}
        {valid && <p class="ok">{patch === undefined ? "Valid. No changes." : "Valid. Ready to apply."}</p>}
      </div>
    </>
  );
}
