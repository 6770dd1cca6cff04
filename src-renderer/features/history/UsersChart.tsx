import { useEffect, useId, useRef, useState } from 'react';
import type { ChartPoint } from '../../../src-shared/domain/sync';
import { formatCount, formatDateTime } from '../../ui/format';

const H = 200;
const PAD = { left: 52, right: 16, top: 12, bottom: 30 };
/** Series colours for the chart of all servers (CSS classes, so light and dark themes apply). */
const SERIES = 6;

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

/** One server's points, in time order. */
export interface ChartSeries {
  serverId: string | null;
  name: string;
  points: ChartPoint[];
}

/** Splits points into one series per server, in the order each server first appears. */
export function seriesByServer(points: ChartPoint[]): ChartSeries[] {
  const out = new Map<string, ChartSeries>();
  for (const p of points) {
    const key = p.serverId ?? '';
    let s = out.get(key);
    if (!s) out.set(key, (s = { serverId: p.serverId, name: p.serverName ?? '(deleted server)', points: [] }));
    s.points.push(p);
  }
  return [...out.values()];
}

/** The width of an element, following its resizes (the chart fills its card). */
function useWidth(fallback: number, shown: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(280, Math.floor(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [shown]);
  return { ref, width };
}

/**
 * Managed and active users after each applied run, as an SVG line chart with labelled axes (no chart
 * library) as wide as its card. With one server: a managed and an active line. With several: one
 * colour per server, managed solid and active dashed, so a server that manages nobody draws its own
 * line at 0 instead of pulling the others down. Each point has a tooltip with its time and values.
 */
export function UsersChart({ points }: { points: ChartPoint[] }) {
  const titleId = useId();
  const { ref, width: W } = useWidth(640, points.length > 0);
  if (points.length === 0) {
    return (
      <p className="muted chart-empty" data-testid="users-chart-empty">
        No applied sync yet: the chart of managed and active users fills in after each sync.
      </p>
    );
  }
  const series = seriesByServer(points);
  const several = series.length > 1;
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
  const xTicks = span === 0 ? [t0] : [t0, t0 + span / 2, t1];
  const path = (ps: ChartPoint[], key: 'managed' | 'active') => ps.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(Date.parse(p.at)).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const latest = series.map((s) => ({ s, last: s.points[s.points.length - 1] }));
  const title = several
    ? `Managed and active users of ${series.length} servers; latest: ${latest.map(({ s, last }) => `${s.name} ${formatCount(last.managed)} managed, ${formatCount(last.active)} active`).join('; ')}`
    : `Managed and active users over ${points.length} applied ${points.length === 1 ? 'sync' : 'syncs'}; latest: ${formatCount(latest[0].last.managed)} managed, ${formatCount(latest[0].last.active)} active`;

  return (
    <figure className="users-chart" data-testid="users-chart" data-series={series.length}>
      <div ref={ref} className="chart-box">
        <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId} className="chart-svg">
          <title id={titleId}>{title}</title>
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
          {series.map((s, si) => {
            const tone = several ? `chart-series-${si % SERIES}` : '';
            return (
              <g key={s.serverId ?? ''} data-testid="chart-series" data-server={s.name}>
                <path className={`chart-line chart-line-managed ${tone}`} d={path(s.points, 'managed')} />
                <path className={`chart-line chart-line-active ${tone}`} d={path(s.points, 'active')} />
                {s.points.map((p, i) => (
                  <g key={i}>
                    <circle className={`chart-dot chart-dot-managed ${tone}`} cx={x(Date.parse(p.at))} cy={y(p.managed)} r={3}>
                      <title>{`${several ? `${s.name}, ` : ''}${formatDateTime(p.at)}: ${formatCount(p.managed)} managed`}</title>
                    </circle>
                    <circle className={`chart-dot chart-dot-active ${tone}`} cx={x(Date.parse(p.at))} cy={y(p.active)} r={3}>
                      <title>{`${several ? `${s.name}, ` : ''}${formatDateTime(p.at)}: ${formatCount(p.active)} active`}</title>
                    </circle>
                  </g>
                ))}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption className="chart-legend">
        {several ? (
          <>
            <span className="legend-item legend-managed legend-neutral">Managed (solid)</span>
            <span className="legend-item legend-active legend-neutral">Active (dashed)</span>
            {latest.map(({ s, last }, si) => (
              <span key={s.serverId ?? ''} className={`legend-item legend-server chart-series-${si % SERIES}`} data-testid="chart-legend-server" title={`${s.name}: ${formatCount(last.managed)} managed, ${formatCount(last.active)} active (${formatDateTime(last.at)})`}>
                <span className="truncate legend-name">{s.name}</span>: {formatCount(last.managed)} managed, {formatCount(last.active)} active
              </span>
            ))}
          </>
        ) : (
          <>
            <span className="legend-item legend-managed">Managed users</span>
            <span className="legend-item legend-active">Active users</span>
            <span className="muted" data-testid="chart-latest">
              Latest: {formatCount(latest[0].last.managed)} managed, {formatCount(latest[0].last.active)} active ({formatDateTime(latest[0].last.at)})
            </span>
          </>
        )}
      </figcaption>
    </figure>
  );
}
