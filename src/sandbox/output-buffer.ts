/**
 * Keeps the head and the tail of a process's output within a fixed character budget and counts what falls in
 * between, so a command that prints a gigabyte costs a bounded amount of memory and the model still sees how
 * it started and how it ended.
 */
export class OutputBuffer {
  private head = "";
  private tail = "";
  private dropped = 0;
  private total = 0;
  private readonly headMax: number;
  private readonly tailMax: number;

  constructor(maxChars: number) {
    this.headMax = Math.ceil(maxChars / 2);
    this.tailMax = maxChars - this.headMax;
  }

  push(chunk: string): void {
    this.total += chunk.length;
    if (this.head.length < this.headMax) {
      const take = Math.min(chunk.length, this.headMax - this.head.length);
      this.head += chunk.slice(0, take);
      chunk = chunk.slice(take);
      if (chunk.length === 0) return;
    }
    const joined = this.tail + chunk;
    if (joined.length > this.tailMax) {
      this.dropped += joined.length - this.tailMax;
      this.tail = joined.slice(joined.length - this.tailMax);
    } else this.tail = joined;
  }

  /** Characters seen so far, kept or not. */
  get totalChars(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    if (this.dropped === 0) return this.head + this.tail;
    return `${this.head}\n[… ${this.dropped.toLocaleString("en")} characters of output omitted …]\n${this.tail}`;
  }

  /** Output after a given character offset (for `process poll`): what is still kept of it. */
  since(offset: number): { text: string; next: number } {
    const keptTailStart = this.total - this.tail.length;
    if (offset >= this.total) return { text: "", next: this.total };
    if (offset < this.head.length) {
      const fromHead = this.head.slice(offset);
      return {
        text: this.dropped > 0 ? `${fromHead}\n[… output omitted …]\n${this.tail}` : fromHead + this.tail,
        next: this.total,
      };
    }
    if (offset >= keptTailStart) return { text: this.tail.slice(offset - keptTailStart), next: this.total };
    return { text: `[… output omitted …]\n${this.tail}`, next: this.total };
  }
}
