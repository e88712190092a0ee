import { useState } from "preact/hooks";
import { z } from "zod";
import { CallStatus } from "../app/call-status.js";
import { useCall } from "../app/use-call.js";
import { BarChart } from "./usage-chart.js";

const Totals = z.looseObject({ totalTokens: z.number(), totalCost: z.number(), calls: z.number() });

const UsageCostSchema = z.looseObject({
  days: z.number(),
  daily: z.array(
    z.looseObject({
      date: z.string(),
      input: z.number(),
      output: z.number(),
      totalTokens: z.number(),
      totalCost: z.number(),
      calls: z.number(),
    }),
  ),
  totals: Totals,
  byModel: z.record(z.string(), Totals).optional(),
  byAgent: z.record(z.string(), Totals).optional(),
  byChannel: z.record(z.string(), Totals).optional(),
});

export const formatUsd = (v: number) => (v === 0 ? "$0" : v < 0.01 ? `$${v.toFixed(4)}` : `$${v.toFixed(2)}`);
export const formatTokens = (v: number) =>
  v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : String(Math.round(v));

export function UsageView() {
  const [days, setDays] = useState(30);
  const [metric, setMetric] = useState<"cost" | "tokens">("cost");
  const [state, reload] = useCall("usage.cost", { days }, UsageCostSchema, [days]);
  return (
    <section class="page">
      <div class="toolbar">
        <h1>Usage</h1>
        <select aria-label="Period" value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
          <option value={7}>7 days</option>
          <option value={30}>30 days</option>
          <option value={62}>62 days</option>
        </select>
        <select
          aria-label="Measure"
          value={metric}
          onChange={(e) => setMetric(e.currentTarget.value as "cost" | "tokens")}
        >
          <option value="cost">Cost</option>
          <option value="tokens">Tokens</option>
        </select>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <CallStatus state={state} what="usage">
        {(data) => (
          <>
            <div class="stats">
              <div class="stat">
                <span class="meta">Cost</span>
                <strong data-testid="usage-total-cost">{formatUsd(data.totals.totalCost)}</strong>
              </div>
              <div class="stat">
                <span class="meta">Tokens</span>
                <strong>{formatTokens(data.totals.totalTokens)}</strong>
              </div>
              <div class="stat">
                <span class="meta">Model calls</span>
                <strong>{data.totals.calls}</strong>
              </div>
            </div>
            <div class="card">
              <BarChart
                label={`${metric === "cost" ? "Cost" : "Tokens"} per day, last ${data.days} days`}
                points={data.daily.map((d) => ({
                  date: d.date,
                  value: metric === "cost" ? d.totalCost : d.totalTokens,
                }))}
                format={metric === "cost" ? formatUsd : formatTokens}
              />
            </div>
            <div class="cards">
              <Breakdown title="By model" rows={data.byModel} />
              <Breakdown title="By agent" rows={data.byAgent} />
              <Breakdown title="By channel" rows={data.byChannel} />
            </div>
          </>
        )}
      </CallStatus>
    </section>
  );
}

function Breakdown({ title, rows }: { title: string; rows: Record<string, z.infer<typeof Totals>> | undefined }) {
  const entries = Object.entries(rows ?? {}).sort((a, b) => b[1].totalCost - a[1].totalCost);
  return (
    <div class="card">
      <h2>{title}</h2>
      {entries.length === 0 ? (
        <p class="muted">No calls in this period.</p>
      ) : (
        <table>
          <tbody>
            {entries.map(([name, t]) => (
              <tr key={name}>
                <td>{name}</td>
                <td class="num">{formatUsd(t.totalCost)}</td>
                <td class="num">{formatTokens(t.totalTokens)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
