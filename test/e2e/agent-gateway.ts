import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import AjvModule from "ajv";
import type { GatewayClient } from "../../src/gateway/client.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm/index.js";
import { REPO_ROOT, startTestGateway, type TestGateway, type TestGatewayOptions } from "./harness.js";

/**
 * What the agent e2e files share: a fake LLM, a real gateway process configured against it, one client that
 * records every event, and validators for the `chat` / `agent` event payloads from OpenClaw's published schema.
 */

export interface RecordedEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read event payloads ad hoc; they are validated separately.
  payload: any;
  at: number;
}

export class EventLog {
  readonly all: RecordedEvent[] = [];
  private readonly watchers = new Set<() => void>();

  push(event: string, payload: unknown): void {
    this.all.push({ event, payload, at: Date.now() });
    for (const w of this.watchers) w();
  }

  chat(runId: string): RecordedEvent["payload"][] {
    return this.all.filter((e) => e.event === "chat" && e.payload?.runId === runId).map((e) => e.payload);
  }

  agent(runId: string): RecordedEvent["payload"][] {
    return this.all.filter((e) => e.event === "agent" && e.payload?.runId === runId).map((e) => e.payload);
  }

  /** Resolves with the first recorded event (past or future) that matches. */
  waitFor(match: (e: RecordedEvent) => boolean, timeoutMs = 10_000, what = "event"): Promise<RecordedEvent> {
    const found = this.all.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms; events seen: ${this.describe()}`));
      }, timeoutMs);
      const check = () => {
        const hit = this.all.find(match);
        if (!hit) return;
        clearTimeout(timer);
        this.watchers.delete(check);
        resolve(hit);
      };
      this.watchers.add(check);
    });
  }

  /** The run's terminal chat event (final, aborted or error). */
  async terminal(runId: string, timeoutMs = 15_000): Promise<RecordedEvent["payload"]> {
    const ev = await this.waitFor(
      (e) => e.event === "chat" && e.payload?.runId === runId && e.payload?.state !== "delta",
      timeoutMs,
      `terminal chat event for ${runId}`,
    );
    return ev.payload;
  }

  /** Every recorded chat/agent event that does not match its protocol.schema.json definition, with the errors. */
  violations(): { event: string; payload: unknown; errors: unknown }[] {
    const out: { event: string; payload: unknown; errors: unknown }[] = [];
    for (const e of this.all) {
      const errors =
        e.event === "chat" ? chatEventErrors(e.payload) : e.event === "agent" ? agentEventErrors(e.payload) : undefined;
      if (errors) out.push({ event: e.event, payload: e.payload, errors });
    }
    return out;
  }

  private describe(): string {
    return this.all
      .slice(-15)
      .map((e) => `${e.event}:${e.payload?.state ?? e.payload?.stream ?? ""}`)
      .join(", ");
  }
}

export interface FakeProviderOptions {
  contextWindow?: number;
  fallbacks?: string[];
  keys?: string[];
  /** Adds provider "backup" (anthropic-messages on the same fake) with model "backup-model". */
  withBackup?: boolean;
  agentDefaults?: Record<string, unknown>;
}

/** A pincer.json whose default model is fake/fake-model served by the fake LLM. */
export function fakeConfig(fake: FakeLlm, opts: FakeProviderOptions = {}): Record<string, unknown> {
  const providers: Record<string, unknown> = {
    fake: {
      baseUrl: fake.openaiBaseUrl,
      apiKey: opts.keys ?? ["k1", "k2"],
      api: "openai-completions",
      models: [{ id: "fake-model", contextWindow: opts.contextWindow ?? 32_000, cost: { input: 3, output: 15 } }],
    },
  };
  if (opts.withBackup) {
    providers.backup = {
      baseUrl: fake.anthropicBaseUrl,
      apiKey: "kb",
      api: "anthropic-messages",
      models: [{ id: "backup-model", contextWindow: 32_000, cost: { input: 1, output: 5 } }],
    };
  }
  return {
    models: { providers },
    agents: {
      defaults: {
        model: { primary: "fake/fake-model", fallbacks: opts.fallbacks ?? [] },
        ...opts.agentDefaults,
      },
    },
  };
}

export interface AgentGateway {
  fake: FakeLlm;
  gw: TestGateway;
  client: GatewayClient;
  events: EventLog;
  /** chat.send with a fresh idempotency key (unless given); returns the ack. */
  send(message: string, extra?: Record<string, unknown>): Promise<SendAck>;
  /** chat.send, then the run's terminal chat event. */
  turn(message: string, extra?: Record<string, unknown>): Promise<RecordedEvent["payload"]>;
  /** Reconnects the recording client (after a gateway restart). */
  reconnect(): Promise<void>;
  close(): Promise<void>;
}

export interface SendAck {
  runId: string;
  status: string;
  sessionKey: string;
  agentId: string;
  cached?: boolean;
}

export async function startAgentGateway(
  configOf: (fake: FakeLlm) => Record<string, unknown> = (fake) => fakeConfig(fake),
  gwOpts: Omit<TestGatewayOptions, "config"> = {},
): Promise<AgentGateway> {
  const fake = await startFakeLlm();
  const gw = await startTestGateway({ ...gwOpts, config: configOf(fake) });
  const events = new EventLog();
  let client = await gw.client({ onEvent: (event, payload) => events.push(event, payload) });
  const self: AgentGateway = {
    fake,
    gw,
    events,
    get client() {
      return client;
    },
    send: (message, extra = {}) =>
      client.call<SendAck>("chat.send", { sessionKey: "main", message, idempotencyKey: randomUUID(), ...extra }),
    async turn(message, extra) {
      const ack = await self.send(message, extra);
      return events.terminal(ack.runId);
    },
    async reconnect() {
      client.close();
      client = await gw.client({ onEvent: (event, payload) => events.push(event, payload) });
    },
    async close() {
      client.close();
      await gw.cleanup();
      await fake.close();
    },
  };
  return self;
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

// ajv ships CommonJS: under NodeNext the class is the default export's `default`.
const Ajv = AjvModule.default;
let ajv: InstanceType<typeof Ajv> | undefined;
const PROTOCOL_ID = "openclaw-protocol";

/** A validator for one definition of @openclaw/gateway-protocol's protocol.schema.json. */
export function protocolValidator(definition: string): Validate {
  if (!ajv) {
    // The package does not export the JSON file, so it is read from its installed path.
    const file = join(REPO_ROOT, "node_modules/@openclaw/gateway-protocol/protocol.schema.json");
    const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema({ ...schema, $id: PROTOCOL_ID }, PROTOCOL_ID);
  }
  const fn = ajv.getSchema(`${PROTOCOL_ID}#/definitions/${definition}`);
  if (!fn) throw new Error(`protocol.schema.json has no definition ${definition}`);
  return fn as Validate;
}

/** Checks a chat event payload against the definition for its state; returns the errors or undefined. */
export function chatEventErrors(payload: RecordedEvent["payload"]): unknown {
  const definition = {
    delta: "ChatDeltaEvent",
    final: "ChatFinalEvent",
    aborted: "ChatAbortedEvent",
    error: "ChatErrorEvent",
  }[payload?.state as string];
  if (!definition) return `unknown chat state ${JSON.stringify(payload?.state)}`;
  const validate = protocolValidator(definition);
  return validate(payload) ? undefined : validate.errors;
}

export function agentEventErrors(payload: RecordedEvent["payload"]): unknown {
  const validate = protocolValidator("AgentEvent");
  return validate(payload) ? undefined : validate.errors;
}

export function textOf(message: { content?: unknown } | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p): p is { type: "text"; text: string } => p?.type === "text")
    .map((p) => p.text)
    .join("");
}
