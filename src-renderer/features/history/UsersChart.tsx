import { useId } from 'react';
import type { ChartPoint } from '../../../src-shared/domain/sync';
import { formatCount, formatDateTime } from '../../ui/format';

const W = 640;
const H = 180;
const PAD = { left: 52, right: 16, top: 12, bottom: 30 };

/** A round step (1, 2 or 5 times a power of ten) giving about `ticks` ticks up to `max`. */
function niceStep(max: number, ticks: number): number {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  const step = (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
  return Math.max(1, step);
}

function shortDate(ms: number, spanMs: number): string {
  const d = new Date(ms);
  if (spanMs < 10 * 60_000) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return spanMs < 2 * 86_400_000 ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/**
 * Managed and active users after each applied run, as a small SVG line chart with labelled axes
 * (no chart library). Each point has a tooltip with its time and values.
 */
export function UsersChart({ points }: { points: ChartPoint[] }) {
  const titleId = useId();
  if (points.length === 0) {
    return (
      <p className="muted chart-empty" data-testid="users-chart-empty">
        No applied sync yet: the chart of managed and active users fills in after each sync.
      </p>
    );
  }
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const span = t1 - t0;
  const maxValue = Math.max(1, ...points.map((p) => Math.max(p.managed, p.active)));
  const step = niceStep(maxValue, 4);
  const yMax = Math.ceil(maxValue / step) * step;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + (span === 0 ? innerW / 2 : ((t - t0) / span) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / yMax) * innerH;
  const yTicks: number[] = [];
  for (let v = 0; v <= yMax; v += step) yTicks.push(v);
  const xTicks = span === 0 ? [t0] : points.length === 2 ? [t0, t1] : [t0, t0 + span / 2, t1];
  const path = (key: 'managed' | 'active') => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(times[i]).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const last = points[points.length - 1];

  return (
    <figure className="users-chart" data-testid="users-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId} className="chart-svg">
        <title id={titleId}>
          {`Managed and active users over ${points.length} applied ${points.length === 1 ? 'sync' : 'syncs'}; latest: ${formatCount(last.managed)} managed, ${formatCount(last.active)} active`}
        </title>
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="chart-label" x={PAD.left - 6} y={y(v)} textAnchor="end" dominantBaseline="middle">
              {formatCount(v)}
            </text>
          </g>
        ))}
        <line className="chart-axis" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + innerH} y2={PAD.top + innerH} />
        <line className="chart-axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + innerH} />
        {xTicks.map((t, i) => (
          <text
            key={`x${i}`}
            className="chart-label"
            x={x(t)}
            y={H - PAD.bottom + 16}
            textAnchor={xTicks.length > 1 && i === 0 ? 'start' : xTicks.length > 1 && i === xTicks.length - 1 ? 'end' : 'middle'}
          >
            {shortDate(t, span)}
          </text>
        ))}
        <text className="chart-label chart-axis-title" x={12} y={PAD.top + innerH / 2} textAnchor="middle" transform={`rotate(-90 12 ${PAD.top + innerH / 2})`}>
          users
        </text>
        <path className="chart-line chart-line-managed" d={path('managed')} />
        <path className="chart-line chart-line-active" d={path('active')} />
        {points.map((p, i) => (
          <g key={i}>
            <circle className="chart-dot chart-dot-managed" cx={x(times[i])} cy={y(p.managed)} r={3}>
              <title>{`${formatDateTime(p.at)}: ${formatCount(p.managed)} managed`}</title>
            </circle>
            <circle className="chart-dot chart-dot-active" cx={x(times[i])} cy={y(p.active)} r={3}>
              <title>{`${formatDateTime(p.at)}: ${formatCount(p.active)} active`}</title>
            </circle>
          </g>
        ))}
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-item legend-managed">Managed users</span>
        <span className="legend-item legend-active">Active users</span>
        <span className="muted">
          Latest: {formatCount(last.managed)} managed, {formatCount(last.active)} active ({formatDateTime(last.at)})
        </span>
      </figcaption>
    </figure>
  );
}
