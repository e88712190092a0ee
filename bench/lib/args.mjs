/** The `--runs N --idle-ms MS --json` flags the start-up benchmarks share, checked. */
import { parseArgs } from "node:util";

export function parseRunsAndIdle(defaultRuns) {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: String(defaultRuns) },
      "idle-ms": { type: "string", default: "10000" },
      json: { type: "boolean" },
    },
  });
  const runs = Number(values.runs);
  const idleMs = Number(values["idle-ms"]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got "${values.runs}"`);
  if (!Number.isFinite(idleMs) || idleMs < 0) throw new Error(`--idle-ms must be ≥ 0, got "${values["idle-ms"]}"`);
  return { runs, idleMs, json: values.json === true };
}
