/** Order statistics for benchmark samples (milliseconds, bytes, …). */

export function quantile(samples, q) {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest-rank: the smallest sample with at least q of the samples at or below it.
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

export const median = (samples) => quantile(samples, 0.5);

export function summarize(samples) {
  return {
    n: samples.length,
    min: Math.min(...samples),
    median: quantile(samples, 0.5),
    p90: quantile(samples, 0.9),
    p99: quantile(samples, 0.99),
    max: Math.max(...samples),
  };
}

/** A fixed-size histogram-free latency log: keeps every sample (benchmarks stay in the tens of thousands). */
export class LatencyLog {
  samples = [];
  add(ms) {
    this.samples.push(ms);
  }
  summary() {
    return summarize(this.samples);
  }
}

export const round = (x, digits = 1) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
export const mb = (bytes) => round(bytes / (1024 * 1024), 1);
