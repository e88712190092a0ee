/**
 * Coalesces index rewrites: the first change arms a timer, and every change until it fires rides on
 * one write, so 200 sessions finishing a turn together cost one sessions.json rewrite, not 200.
 * Writes never overlap; `flush()` returns once everything marked so far is on disk.
 */
export class CoalescedWriter {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private stopped = false;

  /**
   * @param write persists the current state; it must capture that state synchronously, before its
   *   first await, so changes made during the write mark the writer dirty again rather than being lost.
   */
  constructor(
    private readonly write: () => Promise<void>,
    private readonly delayMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get pending(): boolean {
    return this.dirty || this.writing !== undefined;
  }

  markDirty(): void {
    this.dirty = true;
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => {
        this.onError(err);
        this.markDirty();
      });
    }, this.delayMs);
    // A pending index write must not keep the process alive; shutdown calls flush().
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (;;) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      if (!this.dirty) return;
      this.dirty = false;
      const writing = this.write();
      // Waiters only need to know it settled; the caller below sees the error itself.
      this.writing = writing
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          this.writing = undefined;
        });
      try {
        await writing;
      } catch (err) {
        this.dirty = true;
        throw err;
      }
    }
  }

  /** Flushes, then stops arming timers (later changes are written by explicit flushes only). */
  async close(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }
}
