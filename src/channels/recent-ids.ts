/**
 * Ids seen recently, to drop an inbound message the platform delivers twice (a redelivery after a reconnect,
 * Slack's retries, Discord's resume replay). Bounded by age and count; insertion order is age order.
 */
export class RecentIds {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records `id`; returns false when it was already seen within the TTL. */
  add(id: string): boolean {
    const now = this.now();
    for (const [key, at] of this.seen) {
      if (at > now - this.ttlMs && this.seen.size < this.maxSize) break;
      this.seen.delete(key);
    }
    const at = this.seen.get(id);
    if (at !== undefined && at > now - this.ttlMs) return false;
    this.seen.set(id, now);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
