import { z } from "zod";
import { CallStatus, formatTime } from "../app/call-status.js";
import { useGatewayEvent } from "../app/gateway-context.js";
import { useCall } from "../app/use-call.js";

const ScheduleSchema = z.looseObject({
  kind: z.string(),
  at: z.string().optional(),
  everyMs: z.number().optional(),
  expr: z.string().optional(),
  tz: z.string().optional(),
});

/** cron.list as OpenClaw defines it: CronJob rows (the fields shown here). */
const CronListSchema = z.looseObject({
  jobs: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      enabled: z.boolean(),
      schedule: ScheduleSchema,
      agentId: z.string().optional(),
      state: z
        .looseObject({
          nextRunAtMs: z.number().optional(),
          lastRunAtMs: z.number().optional(),
          lastRunStatus: z.string().optional(),
          lastError: z.string().optional(),
        })
        .optional(),
    }),
  ),
});

export function describeSchedule(s: z.infer<typeof ScheduleSchema>): string {
  switch (s.kind) {
    case "at":
      return `once at ${s.at ? new Date(s.at).toLocaleString() : "?"}`;
    case "every": {
      const ms = s.everyMs ?? 0;
      if (ms % 86_400_000 === 0) return `every ${ms / 86_400_000} d`;
      if (ms % 3_600_000 === 0) return `every ${ms / 3_600_000} h`;
      if (ms % 60_000 === 0) return `every ${ms / 60_000} min`;
      return `every ${ms / 1000} s`;
    }
    case "cron":
      return `cron ${s.expr ?? ""}${s.tz ? ` (${s.tz})` : ""}`;
    default:
      return s.kind;
  }
}

export function CronView() {
  const [state, reload] = useCall("cron.list", { includeDisabled: true }, CronListSchema);
  useGatewayEvent(
    (event) => {
      if (event === "cron") void reload();
    },
    [reload],
  );
  return (
    <section class="page">
      <div class="toolbar">
        <h1>Cron jobs</h1>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <CallStatus state={state} what="cron jobs">
        {(data) =>
          data.jobs.length === 0 ? (
            <p class="muted">No scheduled jobs.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Job</th>
                    <th>Schedule</th>
                    <th>Next run</th>
                    <th>Last run</th>
                  </tr>
                </thead>
                <tbody>
                  {data.jobs.map((j) => (
                    <tr key={j.id} class={j.enabled ? "" : "disabled"}>
                      <td>
                        <strong>{j.name}</strong>
                        {!j.enabled && <span class="meta"> (disabled)</span>}
                      </td>
                      <td>{describeSchedule(j.schedule)}</td>
                      <td>{formatTime(j.state?.nextRunAtMs)}</td>
                      <td>
                        {formatTime(j.state?.lastRunAtMs)}{" "}
                        {j.state?.lastRunStatus && (
                          <span class={`tag tag-${j.state.lastRunStatus}`}>{j.state.lastRunStatus}</span>
                        )}
                        {j.state?.lastError && <div class="error">{j.state.lastError}</div>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </CallStatus>
    </section>
  );
}
