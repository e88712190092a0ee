import type { Command } from "commander";
import type { TargetFlags } from "./target.js";
import { targetOptions } from "./target-options.js";

interface JobRow {
  id: string;
  name: string;
  enabled: boolean;
  schedule: { kind: string; at?: string; everyMs?: number; expr?: string; tz?: string };
  sessionTarget: string;
  payload: { kind: string };
  state: { nextRunAtMs?: number; lastRunStatus?: string; lastError?: string };
}

interface ScheduleFlags {
  at?: string;
  every?: string;
  cron?: string;
  tz?: string;
  stagger?: string;
  exact?: boolean;
}

interface JobFlags extends ScheduleFlags, TargetFlags {
  name?: string;
  description?: string;
  message?: string;
  systemEvent?: string;
  session?: string;
  wake?: string;
  agent?: string;
  model?: string;
  announce?: boolean;
  channel?: string;
  to?: string;
  webhook?: string;
  deleteAfterRun?: boolean;
  keepAfterRun?: boolean;
  disabled?: boolean;
  json?: boolean;
}

function print(value: unknown, json: boolean | undefined, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

function describeSchedule(s: JobRow["schedule"]): string {
  if (s.kind === "at") return `at ${s.at}`;
  if (s.kind === "every") return `every ${Math.round((s.everyMs ?? 0) / 1000)}s`;
  return `cron "${s.expr}"${s.tz ? ` ${s.tz}` : ""}`;
}

async function scheduleOf(flags: ScheduleFlags): Promise<Record<string, unknown> | undefined> {
  const given = [flags.at, flags.every, flags.cron].filter((x) => x !== undefined);
  if (given.length > 1) throw new Error("give one of --at, --every or --cron");
  if (given.length === 0) return undefined;
  const { parseDuration, resolveAt } = await import("../automation/cron/duration.js");
  if (flags.at !== undefined) return { kind: "at", at: resolveAt(flags.at) };
  if (flags.every !== undefined) return { kind: "every", everyMs: parseDuration(flags.every, "--every") };
  return {
    kind: "cron",
    expr: flags.cron,
    ...(flags.tz ? { tz: flags.tz } : {}),
    ...(flags.exact ? { staggerMs: 0 } : flags.stagger ? { staggerMs: parseDuration(flags.stagger, "--stagger") } : {}),
  };
}

function deliveryOf(flags: JobFlags): Record<string, unknown> | undefined {
  if (flags.webhook) return { mode: "webhook", to: flags.webhook };
  if (flags.announce || flags.channel || flags.to) {
    return { mode: "announce", channel: flags.channel ?? "last", ...(flags.to ? { to: flags.to } : {}) };
  }
  return undefined;
}

function jobOptions(cmd: Command): Command {
  return cmd
    .option("--name <name>", "job name")
    .option("--description <text>", "what the job is for")
    .option("--at <when>", "one-shot: ISO time (UTC unless it has an offset) or a delay like 20m")
    .option("--every <interval>", "repeat every interval, e.g. 10m, 1h, 1d")
    .option("--cron <expr>", 'cron expression, e.g. "0 8 * * 1-5"')
    .option("--tz <zone>", "IANA time zone for --cron, e.g. Europe/Berlin")
    .option("--stagger <window>", "spread --cron runs over this window, e.g. 30s")
    .option("--exact", "no stagger for top-of-hour --cron expressions")
    .option("--message <text>", "agent turn: what the agent is asked to do")
    .option("--system-event <text>", "system event for the main session instead of an agent turn")
    .option("--session <target>", "main or isolated (default: isolated for --message, main for --system-event)")
    .option("--wake <mode>", "now or next-heartbeat (main-session jobs)")
    .option("--agent <id>", "agent that runs the job")
    .option("--model <provider/model>", "model for this job's turns")
    .option("--announce", "send the reply to a channel (--channel, --to; default: the last conversation)")
    .option("--channel <id>", "delivery channel, e.g. telegram, or last")
    .option("--to <recipient>", "delivery recipient on the channel")
    .option("--webhook <url>", "POST the outcome to this URL")
    .option("--json", "print JSON");
}

export function registerCronCommands(program: Command): void {
  const cron = program.command("cron").description("scheduled jobs: list, add, edit, run, history");

  targetOptions(cron.command("list").description("list jobs with their next run"))
    .option("--enabled-only", "hide disabled jobs")
    .option("--json", "print JSON")
    .action(async (flags: TargetFlags & { enabledOnly?: boolean; json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const res = await withClient(flags, (c) =>
        c.call<{ jobs: JobRow[] }>("cron.list", flags.enabledOnly ? { enabled: "enabled" } : {}),
      );
      print(res, flags.json, () =>
        res.jobs.length === 0
          ? "No cron jobs. Add one with: pincer cron add --name … --cron '0 8 * * 1-5' --message …"
          : res.jobs
              .map((j) => {
                const next = j.state.nextRunAtMs ? new Date(j.state.nextRunAtMs).toISOString() : "-";
                const last = j.state.lastRunStatus ? ` last ${j.state.lastRunStatus}` : "";
                return `${j.id}  ${j.enabled ? "on " : "off"}  ${j.name}  (${describeSchedule(j.schedule)}, ${j.sessionTarget})  next ${next}${last}`;
              })
              .join("\n"),
      );
    });

  targetOptions(cron.command("status").description("scheduler state: jobs, next wake"))
    .option("--json", "print JSON")
    .action(async (flags: TargetFlags & { json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const res = await withClient(flags, (c) =>
        c.call<{ enabled: boolean; jobs: number; enabledJobs: number; nextWakeAtMs: number | null }>("cron.status", {}),
      );
      print(res, flags.json, () =>
        [
          `scheduler: ${res.enabled ? "running" : "paused (cron.enabled: false)"}`,
          `jobs: ${res.jobs} (${res.enabledJobs} enabled)`,
          `next wake: ${res.nextWakeAtMs ? new Date(res.nextWakeAtMs).toISOString() : "-"}`,
        ].join("\n"),
      );
    });

  targetOptions(jobOptions(cron.command("add").description("add a job")))
    .option("--delete-after-run", "remove a one-shot job after it succeeds (default for --at)")
    .option("--keep-after-run", "keep a one-shot job (disabled) after it succeeds")
    .option("--disabled", "add the job disabled")
    .action(async (flags: JobFlags) => {
      const schedule = await scheduleOf(flags);
      if (!schedule) throw new Error("give a schedule: --at, --every or --cron");
      if (!flags.message === !flags.systemEvent) throw new Error("give exactly one of --message or --system-event");
      const payload = flags.message
        ? { kind: "agentTurn", message: flags.message, ...(flags.model ? { model: flags.model } : {}) }
        : { kind: "systemEvent", text: flags.systemEvent };
      const delivery = deliveryOf(flags);
      const params = {
        name: flags.name ?? (flags.message ?? flags.systemEvent ?? "job").slice(0, 60),
        ...(flags.description ? { description: flags.description } : {}),
        schedule,
        payload,
        sessionTarget: flags.session ?? (flags.message ? "isolated" : "main"),
        ...(flags.wake ? { wakeMode: flags.wake } : {}),
        ...(flags.agent ? { agentId: flags.agent } : {}),
        ...(delivery ? { delivery } : {}),
        ...(flags.deleteAfterRun ? { deleteAfterRun: true } : flags.keepAfterRun ? { deleteAfterRun: false } : {}),
        ...(flags.disabled ? { enabled: false } : {}),
      };
      const { withClient } = await import("./target.js");
      const job = await withClient(flags, (c) => c.call<JobRow>("cron.add", params));
      print(
        job,
        flags.json,
        () =>
          `added ${job.id} (${describeSchedule(job.schedule)}), next run ${job.state.nextRunAtMs ? new Date(job.state.nextRunAtMs).toISOString() : "-"}`,
      );
    });

  targetOptions(jobOptions(cron.command("edit <id>").description("change a job")))
    .option("--enable", "enable the job")
    .option("--disable", "disable the job")
    .action(async (id: string, flags: JobFlags & { enable?: boolean; disable?: boolean }) => {
      const schedule = await scheduleOf(flags);
      const delivery = deliveryOf(flags);
      const patch: Record<string, unknown> = {
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.description ? { description: flags.description } : {}),
        ...(schedule ? { schedule } : {}),
        ...(flags.message
          ? { payload: { kind: "agentTurn", message: flags.message, ...(flags.model ? { model: flags.model } : {}) } }
          : {}),
        ...(flags.systemEvent ? { payload: { kind: "systemEvent", text: flags.systemEvent } } : {}),
        ...(flags.session ? { sessionTarget: flags.session } : {}),
        ...(flags.wake ? { wakeMode: flags.wake } : {}),
        ...(flags.agent ? { agentId: flags.agent } : {}),
        ...(delivery ? { delivery } : {}),
        ...(flags.enable ? { enabled: true } : flags.disable ? { enabled: false } : {}),
      };
      if (Object.keys(patch).length === 0) throw new Error("nothing to change: give at least one option");
      const { withClient } = await import("./target.js");
      const job = await withClient(flags, (c) => c.call<JobRow>("cron.update", { id, patch }));
      print(job, flags.json, () => `updated ${job.id}`);
    });

  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    targetOptions(cron.command(`${name} <id>`).description(`${name} a job`)).action(
      async (id: string, flags: TargetFlags) => {
        const { withClient } = await import("./target.js");
        await withClient(flags, (c) => c.call("cron.update", { id, patch: { enabled } }));
        process.stdout.write(`${name}d ${id}\n`);
      },
    );
  }

  targetOptions(cron.command("rm <id>").alias("remove").description("remove a job")).action(
    async (id: string, flags: TargetFlags) => {
      const { withClient } = await import("./target.js");
      const res = await withClient(flags, (c) => c.call<{ removed: boolean }>("cron.remove", { id }));
      process.stdout.write(res.removed ? `removed ${id}\n` : `no job ${id}\n`);
    },
  );

  targetOptions(cron.command("run <id>").description("run a job now"))
    .option("--due", "only if it is due")
    .option("--json", "print JSON")
    .action(async (id: string, flags: TargetFlags & { due?: boolean; json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const res = await withClient(flags, (c) =>
        c.call<{ ran: boolean; runId?: string; reason?: string }>("cron.run", {
          id,
          mode: flags.due ? "due" : "force",
        }),
      );
      print(res, flags.json, () => (res.ran ? `started run ${res.runId}` : `not run: ${res.reason}`));
    });

  targetOptions(cron.command("runs <id>").description("run history, newest first"))
    .option("--limit <n>", "how many", "20")
    .option("--json", "print JSON")
    .action(async (id: string, flags: TargetFlags & { limit: string; json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const res = await withClient(flags, (c) =>
        c.call<{ entries: { ts: number; status: string; trigger?: string; error?: string; summary?: string }[] }>(
          "cron.runs",
          { id, limit: Number(flags.limit) },
        ),
      );
      print(res, flags.json, () =>
        res.entries.length === 0
          ? "no runs yet"
          : res.entries
              .map((e) =>
                `${new Date(e.ts).toISOString()}  ${e.status}${e.trigger ? ` (${e.trigger})` : ""}  ${e.error ?? e.summary ?? ""}`.trim(),
              )
              .join("\n"),
      );
    });
}
