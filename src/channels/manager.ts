import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname } from "node:path";
import type { PincerConfig } from "../config/schema.js";
import { PincerError } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { PairingStore } from "./access/pairing-store.js";
import {
  type AccountSender,
  replyCaptionOf,
  sendMediaWithCaption,
  sendReplyMedia,
  sendTextOn,
  transportOf,
  waitForTransport,
} from "./account-send.js";
import {
  type AccountState,
  type AnyPlugin,
  abortableSleep,
  errorText,
  isFatal,
  newAccountState,
} from "./account-state.js";
import type { AgentPort } from "./agent-port.js";
import { DEFAULT_RESTART_POLICY, RestartBudget, type RestartPolicy } from "./backoff.js";
import type { CommonAccountConfig } from "./config-schema.js";
import { sendWithRetry } from "./delivery.js";
import type { InboundMessage, OutboundTarget } from "./envelope.js";
import { ChannelHttpRoutes } from "./http-routes.js";
import { formatFor, processInbound } from "./inbound.js";
import type {
  AccountTransport,
  AccountTransportStatus,
  MediaSendResult,
  OutboundMedia,
  ResolvedAccount,
} from "./plugin.js";
import { RecentIds } from "./recent-ids.js";
import { type ChannelEntry, ChannelRegistry } from "./registry.js";
import { type ReplyMedia, withReplyMedia } from "./reply-media.js";
import { buildChannelsStatus, type ChannelsStatus } from "./status.js";

/**
 * Runs the configured channel accounts: starts each, restarts a failed one with backoff (backoff.ts), watches
 * for accounts stuck disconnected, drops inbound messages delivered twice, and hands the rest to the inbound
 * pipeline. One AbortSignal (the gateway's shutdown) stops everything.
 */

/** Inbound message ids remembered for de-duplication: longer than any platform's redelivery window. */
const DEDUPE_TTL_MS = 60 * 60_000;
const DEDUPE_MAX_IDS = 50_000;
export const HEALTH_CHECK_INTERVAL_MS = 30_000;
/** An account its SDK has not reconnected for this long is restarted from scratch. */
export const STALE_DISCONNECTED_MS = 5 * 60_000;

export interface ChannelManagerDeps {
  config: () => PincerConfig;
  agent: () => AgentPort | undefined;
  pairing: PairingStore;
  log: Logger;
  registry?: ChannelRegistry;
  restartPolicy?: RestartPolicy;
  now?: () => number;
  /** Called when an account's status changes (health version, events). */
  onChange?: () => void;
}

export class ChannelManager {
  readonly registry: ChannelRegistry;
  readonly pairing: PairingStore;
  private readonly accounts = new Map<string, AccountState>();
  /** Channels configured but whose plugin failed to load, with why. */
  private readonly loadErrors = new Map<string, string>();
  private readonly entries = new Map<string, ChannelEntry>();
  private readonly recent: RecentIds;
  private readonly policy: RestartPolicy;
  private readonly now: () => number;
  private readonly shutdown = new AbortController();
  private readonly http = new ChannelHttpRoutes();
  private health?: NodeJS.Timeout;
  private stopping?: Promise<void>;

  constructor(private readonly deps: ChannelManagerDeps) {
    this.pairing = deps.pairing;
    this.registry = deps.registry ?? new ChannelRegistry();
    this.policy = deps.restartPolicy ?? DEFAULT_RESTART_POLICY;
    this.now = deps.now ?? Date.now;
    this.recent = new RecentIds(DEDUPE_TTL_MS, DEDUPE_MAX_IDS, this.now);
  }

  /** Loads the configured channels' plugins and starts their accounts; connecting happens in the background. */
  async start(signal?: AbortSignal): Promise<void> {
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
    await this.reconcile();
    this.health = setInterval(() => this.checkHealth(), HEALTH_CHECK_INTERVAL_MS);
    this.health.unref();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.shutdown.abort();
      clearInterval(this.health);
      await Promise.all([...this.accounts.values()].map((st) => this.stopLoop(st)));
    })();
    return this.stopping;
  }

  /** Applies the current config: starts new accounts, restarts changed ones, stops removed ones. */
  async reconcile(): Promise<void> {
    if (this.shutdown.signal.aborted) return;
    const channels = this.deps.config().channels as Record<string, unknown> | undefined;
    const wanted = new Map<string, { plugin: AnyPlugin; account: ResolvedAccount<CommonAccountConfig> }>();
    this.loadErrors.clear();
    this.entries.clear();
    for (const entry of this.registry.configured(channels)) {
      this.entries.set(entry.id, entry);
      try {
        const plugin = await entry.load();
        const section = channels?.[entry.id];
        for (const accountId of plugin.config.listAccountIds(section)) {
          wanted.set(`${entry.id}:${accountId}`, { plugin, account: plugin.config.resolveAccount(section, accountId) });
        }
      } catch (err) {
        this.loadErrors.set(entry.id, errorText(err));
        this.deps.log.error({ channel: entry.id, err: errorText(err) }, "channel could not be loaded");
      }
    }
    for (const [key, st] of this.accounts) {
      const next = wanted.get(key);
      if (!next || JSON.stringify(next.account) !== st.fingerprint) {
        await this.stopLoop(st);
        this.accounts.delete(key);
      }
    }
    for (const [key, { plugin, account }] of wanted) {
      if (this.accounts.has(key)) continue;
      const st = newAccountState(plugin, account, new RestartBudget(this.policy, this.now));
      this.accounts.set(key, st);
      if (account.enabled && account.configured && plugin.gateway) this.startLoop(st);
    }
    this.deps.onChange?.();
  }

  /** channels.start: (re)starts an account, or every account of the channel; resets its restart budget. */
  async startAccount(channel: string, accountId?: string): Promise<string[]> {
    const targets = this.select(channel, accountId);
    for (const st of targets) {
      if (!st.account.configured) {
        throw new PincerError("CONFIG_INVALID", `${channel}/${st.accountId} is not configured: ${st.account.missing}`);
      }
      await this.stopLoop(st);
      st.budget = new RestartBudget(this.policy, this.now);
      this.startLoop(st);
    }
    return targets.map((t) => t.accountId);
  }

  /** channels.stop: disconnects until started again (or the gateway restarts). */
  async stopAccount(channel: string, accountId?: string): Promise<string[]> {
    const targets = this.select(channel, accountId);
    await Promise.all(targets.map((st) => this.stopLoop(st)));
    return targets.map((t) => t.accountId);
  }

  private select(channel: string, accountId?: string): AccountState[] {
    const all = [...this.accounts.values()].filter((st) => st.channel === channel);
    const targets = accountId ? all.filter((st) => st.accountId === accountId) : all;
    if (targets.length === 0) {
      const known = [...new Set([...this.accounts.values()].map((s) => s.channel))].join(", ") || "none";
      throw new PincerError(
        "NOT_FOUND",
        accountId
          ? `no account "${accountId}" on channel "${channel}"`
          : `channel "${channel}" is not configured (configured: ${known})`,
      );
    }
    return targets;
  }

  private startLoop(st: AccountState): void {
    const stopper = new AbortController();
    st.stopper = stopper;
    st.loop = this.runAccount(st, stopper.signal).catch((err) => {
      this.deps.log.error(
        { channel: st.channel, accountId: st.accountId, err: errorText(err) },
        "account loop crashed",
      );
    });
  }

  private async stopLoop(st: AccountState): Promise<void> {
    st.stopper?.abort();
    await st.loop;
    st.stopper = undefined;
    st.loop = undefined;
  }

  private async runAccount(st: AccountState, stop: AbortSignal): Promise<void> {
    const log = this.deps.log.child({ channel: st.channel, accountId: st.accountId });
    while (!stop.aborted) {
      st.status.running = true;
      st.status.lastStartAt = this.now();
      this.changed();
      let failure: unknown;
      try {
        const conn = await st.plugin.gateway!.startAccount({
          channel: st.channel,
          account: st.account,
          signal: stop,
          log,
          receive: (msg) => this.receive(st, msg),
          setStatus: (patch) => this.setTransportStatus(st, patch),
          http: this.http.mountFor(`${st.channel}/${st.accountId}`, `channels.${st.channel}.webhookPath`),
        });
        st.connection = conn;
        st.budget.succeeded();
        st.status.reconnectAttempts = 0;
        st.status.lastError = null;
        this.setTransportStatus(st, { connected: true });
        log.info("channel account connected");
        const stopConnection = () => void conn.stop().catch((err) => log.warn({ err: errorText(err) }, "stop failed"));
        stop.addEventListener("abort", stopConnection, { once: true });
        try {
          await conn.closed;
        } finally {
          stop.removeEventListener("abort", stopConnection);
        }
        if (!stop.aborted) failure = new Error("the connection closed unexpectedly");
      } catch (err) {
        failure = err;
      }
      st.connection = undefined;
      this.http.release(`${st.channel}/${st.accountId}`);
      this.setTransportStatus(st, { connected: false });
      if (stop.aborted) break;
      const message = errorText(failure);
      st.status.lastError = message;
      if (isFatal(failure)) {
        log.error(
          { err: message },
          "channel account failed; not restarting (fix the config, then `pincer channels start`)",
        );
        break;
      }
      const next = st.budget.failed();
      if ("giveUp" in next) {
        st.status.lastError = `${message} (${next.giveUp}; run \`pincer channels start ${st.channel}\` to try again)`;
        log.error({ err: message }, next.giveUp);
        break;
      }
      st.status.reconnectAttempts = st.budget.consecutiveAttempts;
      log.warn({ err: message, retryInMs: next.delayMs }, "channel account failed; restarting");
      this.changed();
      await abortableSleep(next.delayMs, stop);
    }
    st.status.running = false;
    st.status.connected = false;
    st.status.lastStopAt = this.now();
    this.changed();
  }

  private setTransportStatus(st: AccountState, patch: Partial<AccountTransportStatus>): void {
    if (patch.connected !== undefined && patch.connected !== st.status.connected) {
      st.status.connected = patch.connected && st.connection !== undefined;
      if (st.status.connected) {
        st.status.lastConnectedAt = this.now();
        st.disconnectedSince = undefined;
        for (const wake of st.transportWaiters) wake();
      } else {
        st.disconnectedSince = this.now();
      }
    }
    if (patch.lastError !== undefined) st.status.lastError = patch.lastError;
    if (patch.botId !== undefined) st.status.botId = patch.botId;
    if (patch.botName !== undefined) st.status.botName = patch.botName;
    if (patch.mode !== undefined) st.status.mode = patch.mode;
    this.changed();
  }

  private changed(): void {
    this.deps.onChange?.();
  }

  private checkHealth(): void {
    const now = this.now();
    for (const st of this.accounts.values()) {
      if (!st.connection || st.disconnectedSince === undefined) continue;
      if (now - st.disconnectedSince < STALE_DISCONNECTED_MS) continue;
      this.deps.log.warn({ channel: st.channel, accountId: st.accountId }, "account stuck disconnected; restarting it");
      st.disconnectedSince = undefined;
      // Stopping the connection resolves `closed` without our stop signal: the loop restarts it with backoff.
      void st.connection.stop().catch(() => {});
    }
  }

  /** Sends text on an account with retries across 429s, 5xx and reconnects. */
  async sendText(channel: string, accountId: string, target: OutboundTarget, text: string): Promise<void> {
    const st = this.select(channel, accountId)[0]!;
    await this.sendOn(st, target, text);
  }

  /**
   * Sends one attachment (with its caption) on an account. Never throws for a bad attachment or a failed send:
   * the result says what went wrong, so text around it still goes out.
   */
  async sendMedia(
    channel: string,
    accountId: string,
    target: OutboundTarget,
    media: OutboundMedia,
  ): Promise<MediaSendResult> {
    const st = this.select(channel, accountId)[0]!;
    return sendMediaWithCaption(this.sender(st), target, media);
  }

  /**
   * Runs `op` on an account's transport with the retries sends get (429s, 5xx, reconnects): for operators acting
   * on messages (react, edit, delete) and sends that need the platform's message id.
   */
  async withTransport<T>(channel: string, accountId: string, op: (t: AccountTransport) => Promise<T>): Promise<T> {
    const st = this.select(channel, accountId)[0]!;
    const result = await sendWithRetry(this.sender(st).delivery, op);
    st.status.lastOutboundAt = this.now();
    return result;
  }

  /** Serves a request when a channel account mounted its path on the gateway port (webhooks); else false. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    return this.http.dispatch(req, res);
  }

  /** How to send on an account: its transport with retries across reconnects, and where outcomes are noted. */
  private sender(st: AccountState): AccountSender {
    return {
      st,
      delivery: {
        transport: () => transportOf(st),
        waitForTransport: (ms, signal) => waitForTransport(st, ms, signal),
        sleep: abortableSleep,
        signal: this.shutdown.signal,
      },
      now: this.now,
      // The credentials folder sits in the state folder (config/paths.ts).
      stateDir: dirname(this.pairing.credentialsDir),
      changed: () => this.changed(),
    };
  }

  private sendOn(st: AccountState, target: OutboundTarget, text: string): Promise<void> {
    return sendTextOn(this.sender(st), target, text);
  }

  private receive(st: AccountState, msg: InboundMessage): void {
    st.status.lastInboundAt = this.now();
    if (!this.recent.add(`${st.channel}:${st.accountId}:${msg.messageId}`)) {
      this.deps.log.debug({ channel: st.channel, messageId: msg.messageId }, "duplicate inbound message ignored");
      return;
    }
    const log = this.deps.log.child({ channel: st.channel, accountId: st.accountId, messageId: msg.messageId });
    const replyMedia: ReplyMedia = { refs: [] };
    void processInbound(
      {
        plugin: st.plugin,
        account: st.account,
        config: this.deps.config(),
        agent: withReplyMedia(this.deps.agent(), replyMedia, (markdown) => replyCaptionOf(st, markdown)),
        pairing: this.deps.pairing,
        log,
        send: (target, text) => this.sendOn(st, target, text),
        typing: async (target) => {
          await transportOf(st)
            ?.sendTyping?.(target)
            .catch((err) => log.debug({ err: errorText(err) }, "typing failed"));
        },
        runStarted: () => {
          st.status.activeRuns += 1;
          st.status.busy = true;
        },
        runEnded: () => {
          st.status.activeRuns -= 1;
          st.status.busy = st.status.activeRuns > 0;
        },
        signal: this.shutdown.signal,
      },
      msg,
    )
      .then(async (result) => {
        if (result.outcome === "replied" && replyMedia.refs.length > 0)
          await sendReplyMedia(this.sender(st), msg, replyMedia, log);
      })
      .catch((err) => {
        st.status.lastError = `handling a message failed: ${errorText(err)}`;
        log.error({ err: errorText(err) }, "inbound message failed");
        this.changed();
      });
  }

  /** Tells an approved sender they can talk now. Returns what happened, in OpenClaw's words. */
  async notifyApproved(
    channel: string,
    accountId: string,
    senderId: string,
  ): Promise<"sent" | "unsupported" | "failed"> {
    const st = this.accounts.get(`${channel}:${accountId}`);
    if (!st?.connection) return "unsupported";
    try {
      for (const chunk of formatFor(
        st.plugin,
        st.account.config,
        "You're approved. Send a message to start talking.",
      )) {
        await this.sendOn(st, { chatType: "direct", peerId: senderId }, chunk);
      }
      return "sent";
    } catch (err) {
      this.deps.log.warn({ channel, accountId, err: errorText(err) }, "pairing approval notice failed");
      return "failed";
    }
  }

  status(): ChannelsStatus {
    return buildChannelsStatus({
      now: this.now(),
      entries: [...this.entries.values()],
      accounts: [...this.accounts.values()].map((st) => ({ channel: st.channel, status: st.status })),
      loadErrors: this.loadErrors,
    });
  }

  /** Accounts by channel, for listings (pairing list). */
  accountIds(): { channel: string; label: string; accountId: string }[] {
    return [...this.accounts.values()].map((st) => ({
      channel: st.channel,
      label: st.plugin.meta.label,
      accountId: st.accountId,
    }));
  }
}
