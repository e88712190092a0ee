/**
 * Serializes async work per key inside one process: `run(key, fn)` starts `fn` only after every earlier
 * `run` for the same key has settled, while different keys run concurrently. This replaces lock files:
 * one gateway process owns a state dir, so in-process ordering is all that is needed, and nothing can
 * outlive the process. A failing `fn` rejects its own promise only; the queue carries on.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => fn());
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // Drop the entry once this was the last job, so idle keys cost nothing.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** True while work for `key` is queued or running. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }

  /** Keys with queued or running work. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves when everything queued so far, on every key, has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
