import { usageBudgetsMethod } from "../../ops/methods.js";
import { agentsListMethod } from "./agents.js";
import { agentsFilesMethods } from "./agents-files.js";
import { channelMethods } from "./channels.js";
import { agentMethod, agentWaitMethod, chatAbortMethod, chatHistoryMethod, chatSendMethod } from "./chat.js";
import {
  configApplyMethod,
  configGetMethod,
  configPatchMethod,
  configSchemaMethod,
  configSetMethod,
} from "./config.js";
import { cronMethods } from "./cron.js";
import { healthMethod, presenceMethod, statusMethod } from "./health.js";
import { logsTailMethod } from "./logs.js";
import { messageMethods } from "./message.js";
import { modelsListMethod, usageCostMethod, usageStatusMethod } from "./models.js";
import type { MethodRegistry } from "./registry.js";
import {
  sessionsCompactMethod,
  sessionsDeleteMethod,
  sessionsListMethod,
  sessionsPatchMethod,
  sessionsPreviewMethod,
  sessionsResetMethod,
} from "./sessions.js";
import { skillsMethods } from "./skills.js";
import { toolMethods } from "./tools.js";
import { wakeMethod } from "./wake.js";

/** Methods of the gateway itself: health, status, presence, logs, config. */
export function registerCoreMethods(registry: MethodRegistry): void {
  registry.register(
    healthMethod,
    statusMethod,
    presenceMethod,
    logsTailMethod,
    configGetMethod,
    configSetMethod,
    configPatchMethod,
    configApplyMethod,
    configSchemaMethod,
  );
}

/** Methods served by the agent runtime: chat, agent runs, sessions, models, usage. */
export function registerAgentMethods(registry: MethodRegistry): void {
  registry.register(
    chatSendMethod,
    chatHistoryMethod,
    chatAbortMethod,
    agentMethod,
    agentWaitMethod,
    sessionsListMethod,
    sessionsPreviewMethod,
    sessionsPatchMethod,
    sessionsResetMethod,
    sessionsDeleteMethod,
    sessionsCompactMethod,
    modelsListMethod,
    usageStatusMethod,
    usageCostMethod,
    usageBudgetsMethod,
    ...toolMethods,
    ...cronMethods,
    wakeMethod,
    agentsListMethod,
    ...agentsFilesMethods,
    ...skillsMethods,
  );
}

/** Methods of the channel manager: status, start/stop, pairing, and operator sends (send, message.action). */
export function registerChannelMethods(registry: MethodRegistry): void {
  registry.register(...channelMethods, ...messageMethods);
}
