// Charts as inline SVG. Why no chart library: the console needs three simple shapes (bars, a funnel, a
// line over time), and ~150 lines of typed SVG give them with no dependency, no canvas (so tests and
// screen readers can read the values from the DOM), and a small bundle for phone-width use.

export interface Datum {
  label: string;
  value: number;
}

const W = 560;
/** Width of the label column of bar charts. */
const LABEL_W = 230;

/** Horizontal bars, each labelled with its value. */
export function BarChart({
  data,
  title,
  color = '#0866ff',
}: {
  data: Datum[];
  title: string;
  color?: string;
}) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const row = 28;
  const h = data.length * row + 4;
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={title} width="100%">
        {data.map((d, i) => {
          const w = Math.max(2, ((W - LABEL_W - 40) * d.value) / max);
          const y = i * row + 2;
          return (
            <g key={d.label}>
              <text x={0} y={y + 17} fontSize="13" fill="#333">
                {d.label.length > 32 ? `${d.label.slice(0, 31)}…` : d.label}
              </text>
              <rect x={LABEL_W} y={y + 4} width={w} height={row - 10} rx={3} fill={color} />
              <text x={LABEL_W + 4 + w} y={y + 17} fontSize="13" fill="#111">
                {d.value}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** A funnel: each stage as a centred bar, with the share of the first stage. */
export function FunnelChart({ stages, title }: { stages: Datum[]; title: string }) {
  const first = Math.max(1, stages[0]?.value ?? 1);
  const row = 34;
  const h = stages.length * row + 4;
  const colors = ['#0866ff', '#3b82f6', '#60a5fa', '#93c5fd', '#bfdbfe'];
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={title} width="100%" data-testid="funnel">
        {stages.map((s, i) => {
          const w = Math.max(4, ((W - 20) * s.value) / first);
          const y = i * row + 2;
          const pct = Math.round((100 * s.value) / first);
          return (
            <g key={s.label} data-stage={s.label}>
              <rect
                x={(W - w) / 2}
                y={y}
                width={w}
                height={row - 6}
                rx={4}
                fill={colors[i % colors.length]}
              />
              <text x={W / 2} y={y + 19} fontSize="13" textAnchor="middle" fill="#0b1533">
                {`${s.label}: ${s.value} (${pct}%)`}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** A line over time (e.g. valid subscribers per day). */
export function LineChart({ points, title }: { points: Datum[]; title: string }) {
  const h = 200;
  const pad = 24;
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (i: number) => pad + (i * (W - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (v: number) => h - pad - (v * (h - 2 * pad)) / max;
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={title} width="100%">
        <line x1={pad} y1={h - pad} x2={W - pad} y2={h - pad} stroke="#ccc" />
        <text x={2} y={y(max) + 4} fontSize="10" fill="#666">
          {max}
        </text>
        <path d={path} fill="none" stroke="#0866ff" strokeWidth={2} />
        {points.map((p, i) => (
          <circle key={p.label} cx={x(i)} cy={y(p.value)} r={2.5} fill="#0866ff">
            <title>{`${p.label}: ${p.value}`}</title>
          </circle>
        ))}
        {points.length > 0 ? (
          <>
            <text x={pad} y={h - 6} fontSize="10" fill="#666">
              {points[0]?.label}
            </text>
            <text x={W - pad} y={h - 6} fontSize="10" fill="#666" textAnchor="end">
              {points[points.length - 1]?.label}
            </text>
          </>
        ) : null}
      </svg>
    </figure>
  );
}
