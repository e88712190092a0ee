import { z } from "zod";
import { PincerError } from "../../errors.js";
import { parseSessionKey } from "../../sessions/keys.js";
import { type AgentTool, defineTool, textResult } from "../../tools/tool.js";
import type { CronService } from "./service.js";

const Params = z.object({
  action: z.enum(["list", "add", "update", "remove", "run", "runs", "status"]),
  jobId: z.string().min(1).optional().describe("the job (update, remove, run, runs)"),
  name: z.string().min(1).max(200).optional().describe("a short name for a new job"),
  at: z.string().optional().describe("one-shot time: ISO 8601 (UTC unless it has an offset) or a delay like 20m"),
  every: z.string().optional().describe("repeat interval, e.g. 30m, 2h, 1d"),
  cron: z.string().optional().describe('cron expression, 5 fields, e.g. "0 8 * * 1-5" for weekdays at 8:00'),
  tz: z.string().optional().describe("IANA time zone for cron, e.g. Europe/Berlin; use the user's"),
  message: z.string().optional().describe("what you will be asked to do when the job runs (runs in its own session)"),
  systemEvent: z.string().optional().describe("a reminder note delivered into the main conversation instead"),
  deliver: z
    .boolean()
    .optional()
    .describe("send the result to the user: to this conversation when it is a channel chat, else to the last one"),
  channel: z.string().optional().describe("delivery channel id, e.g. telegram (with to)"),
  to: z.string().optional().describe("delivery recipient on that channel"),
  enabled: z.boolean().optional(),
});

/**
 * The `cron` tool: lets the agent schedule work for the user ("every weekday at 8 send me my calendar"),
 * list, change, run and remove jobs. Jobs run as the agent that created them.
 */
export function cronTool(cron: () => Promise<CronService> | undefined): AgentTool {
  return defineTool({
    name: "cron",
    description:
      "Schedule, list, change, run or remove jobs that run you later on a schedule (at a time, every interval, or a cron expression with time zone). Use for reminders and recurring tasks; set deliver to send results to the user.",
    parameters: Params,
    async execute(_id, p, ctx) {
      const pending = cron();
      if (!pending) return textResult("Scheduling is not available in this gateway.", true);
      const service = await pending;
      const needId = () => {
        if (!p.jobId)
          throw new PincerError("INVALID_REQUEST", `action ${p.action} needs jobId (action list shows them)`);
        return p.jobId;
      };
      try {
        switch (p.action) {
          case "status":
            return json(service.status());
          case "list":
            return json(service.list({ agentId: ctx.agentId }).map(brief));
          case "runs":
            return json((await service.runs(needId(), 10)).entries);
          case "remove":
            return json(await service.remove(needId()));
          case "run":
            return json(await service.run(needId(), "force"));
          case "add": {
            const schedule = await scheduleFrom(p);
            if (!schedule) return textResult("add needs a schedule: at, every or cron.", true);
            if (!p.message === !p.systemEvent)
              return textResult("add needs exactly one of message or systemEvent.", true);
            const { CronAddSchema } = await import("./job-schema.js");
            const input = CronAddSchema.parse({
              name: p.name ?? (p.message ?? p.systemEvent ?? "job").slice(0, 60),
              agentId: ctx.agentId,
              schedule,
              sessionTarget: p.message ? "isolated" : "main",
              payload: p.message
                ? { kind: "agentTurn", message: p.message }
                : { kind: "systemEvent", text: p.systemEvent },
              ...(p.enabled === false ? { enabled: false } : {}),
              ...(deliveryFrom(p, ctx.sessionKey) ?? {}),
            });
            return json(brief(await service.add(input)));
          }
          case "update": {
            const schedule = await scheduleFrom(p);
            const delivery = deliveryFrom(p, ctx.sessionKey);
            const patch = {
              ...(p.name ? { name: p.name } : {}),
              ...(schedule ? { schedule } : {}),
              ...(p.message ? { payload: { kind: "agentTurn" as const, message: p.message } } : {}),
              ...(p.systemEvent ? { payload: { kind: "systemEvent" as const, text: p.systemEvent } } : {}),
              ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
              ...(delivery ?? {}),
            };
            const { CronPatchSchema } = await import("./job-schema.js");
            return json(brief(await service.update(needId(), CronPatchSchema.parse(patch))));
          }
        }
      } catch (err) {
        return textResult(`cron ${p.action} failed: ${err instanceof Error ? err.message : String(err)}`, true);
      }
    },
  });
}

function json(value: unknown) {
  return textResult(JSON.stringify(value, null, 2));
}

function brief(job: Awaited<ReturnType<CronService["add"]>>) {
  return {
    id: job.id,
    name: job.name,
    enabled: job.enabled,
    schedule: job.schedule,
    sessionTarget: job.sessionTarget,
    nextRun: job.state.nextRunAtMs ? new Date(job.state.nextRunAtMs).toISOString() : null,
    lastRunStatus: job.state.lastRunStatus ?? null,
    ...(job.delivery ? { delivery: job.delivery } : {}),
  };
}

async function scheduleFrom(p: z.infer<typeof Params>) {
  const { parseDuration, resolveAt } = await import("./duration.js");
  const given = [p.at, p.every, p.cron].filter((x) => x !== undefined).length;
  if (given > 1) throw new PincerError("INVALID_REQUEST", "give one of at, every or cron");
  if (p.at !== undefined) return { kind: "at" as const, at: resolveAt(p.at) };
  if (p.every !== undefined) return { kind: "every" as const, everyMs: parseDuration(p.every, "every") };
  if (p.cron !== undefined) return { kind: "cron" as const, expr: p.cron, ...(p.tz ? { tz: p.tz } : {}) };
  return undefined;
}

/** Delivery to an explicit channel/to, else to the conversation this session is (when it is a channel DM or group). */
function deliveryFrom(p: z.infer<typeof Params>, sessionKey: string) {
  if (p.channel && p.to) return { delivery: { mode: "announce" as const, channel: p.channel, to: p.to } };
  if (!p.deliver) return undefined;
  const here = parseSessionKey(sessionKey);
  if (here.channel && here.peerId && (here.kind === "direct" || here.kind === "group" || here.kind === "channel")) {
    const to = here.kind === "direct" ? here.peerId : `${here.kind}:${here.peerId}`;
    return { delivery: { mode: "announce" as const, channel: here.channel, to } };
  }
  return { delivery: { mode: "announce" as const, channel: "last" } };
}
