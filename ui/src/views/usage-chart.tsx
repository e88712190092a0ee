/** One bar per day; the chart scales to its container (SVG viewBox) so it fits a phone as well as a desk. */
export interface DayPoint {
  date: string;
  value: number;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 56 };

/** A "nice" axis maximum (1, 2 or 5 × 10^n) at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  const m = max / exp;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * exp;
}

export function BarChart({
  points,
  format,
  label,
}: {
  points: DayPoint[];
  format: (v: number) => string;
  label: string;
}) {
  const top = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const step = innerW / Math.max(1, points.length);
  const barW = Math.max(2, step * 0.7);
  const ticks = [0, 0.5, 1].map((f) => f * top);
  const labelEvery = Math.ceil(points.length / 8);
  return (
    <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} data-testid="usage-chart">
      {ticks.map((t) => {
        const y = PAD.top + innerH - (t / top) * innerH;
        return (
          <g key={t}>
            <line class="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} />
            <text class="axis" x={PAD.left - 6} y={y + 4} text-anchor="end">
              {format(t)}
            </text>
          </g>
        );
      })}
      {points.map((p, i) => {
        const h = (p.value / top) * innerH;
        const x = PAD.left + i * step + (step - barW) / 2;
        return (
          <g key={p.date}>
            <rect class="bar" x={x} y={PAD.top + innerH - h} width={barW} height={Math.max(0, h)} rx={2}>
              <title>{`${p.date}: ${format(p.value)}`}</title>
            </rect>
            {i % labelEvery === 0 && (
              <text class="axis" x={x + barW / 2} y={HEIGHT - 8} text-anchor="middle">
                {p.date.slice(5)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
