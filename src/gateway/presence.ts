import { hostname } from "node:os";

export interface PresenceEntry {
  host?: string;
  ip?: string;
  version?: string;
  platform?: string;
  deviceFamily?: string;
  mode?: string;
  reason?: string;
  text?: string;
  ts: number;
  onlineSince?: number;
  lastActivityAt?: number;
  deviceId?: string;
  roles?: string[];
  scopes?: string[];
  instanceId?: string;
}

/**
 * Who is connected: the gateway itself plus one entry per authenticated client. `version` increases on every
 * change so clients can tell a fresh snapshot from a stale one (hello-ok stateVersion.presence).
 */
export class PresenceRegistry {
  private readonly entries = new Map<string, PresenceEntry>();
  version = 0;

  constructor(
    private readonly self: PresenceEntry,
    private readonly onChange: (list: PresenceEntry[]) => void = () => {},
  ) {}

  static selfEntry(version: string, startedAt: number): PresenceEntry {
    return {
      host: hostname(),
      version,
      platform: process.platform,
      mode: "gateway",
      reason: "self",
      ts: Date.now(),
      onlineSince: startedAt,
    };
  }

  upsert(connId: string, entry: PresenceEntry): void {
    this.entries.set(connId, entry);
    this.bump();
  }

  touch(connId: string, now = Date.now()): void {
    const entry = this.entries.get(connId);
    if (entry) entry.lastActivityAt = now;
  }

  remove(connId: string): void {
    if (this.entries.delete(connId)) this.bump();
  }

  list(): PresenceEntry[] {
    return [{ ...this.self, ts: Date.now() }, ...this.entries.values()];
  }

  private bump(): void {
    this.version += 1;
    this.onChange(this.list());
  }
}
