import { useCallback, useEffect, useState } from 'react';
import { call } from '../../api';
import type { ChartPoint, RunStatus, RunSummary } from '../../../src-shared/domain/sync';
import { DataTable } from '../../ui/DataTable';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount, formatDateTime, formatDuration, relativeTime } from '../../ui/format';
import { Pager } from '../../ui/Pager';
import { useNow } from '../../ui/use-now';
import { useResource } from '../../ui/use-resource';
import { useServerOptions } from '../servers/use-server-options';
import { countsText, KIND_LABELS, RUN_STATUS_LIST, sourceText, STATUS_LABELS, StatusBadge, TRIGGER_LABELS } from '../sync/run-format';
import { RunDetail } from './RunDetail';
import { UsersChart } from './UsersChart';

const PAGE = 50;

/**
 * The History screen: every run (newest first, 50 a page) filtered by server and status, a chart of
 * managed and active users over time, and a run's summary and plan when it is opened.
 */
export function HistoryScreen({ active }: { active: boolean }) {
  const servers = useServerOptions(active);
  const now = useNow();
  const [serverId, setServerId] = useState<string | null>(null);
  const [status, setStatus] = useState<RunStatus | null>(null);
  const [offset, setOffset] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);

  const loadList = useCallback(() => call('history.list', { serverId, status, offset, limit: PAGE }), [serverId, status, offset]);
  const list = useResource(loadList, JSON.stringify([serverId, status, offset]), { active, topics: ['runs'] });
  const loadChart = useCallback(() => call('history.chart', { serverId }), [serverId]);
  const chart = useResource<ChartPoint[]>(loadChart, `chart:${serverId}`, { active, topics: ['runs'] });
  const loadRun = useCallback(() => (openId ? call('history.get', { runId: openId }) : Promise.resolve(null)), [openId]);
  const detail = useResource<RunSummary | null>(loadRun, `run:${openId}`, { active, topics: ['runs'] });

  const runs = list.data?.runs ?? [];
  // The list shrank under the current page: go back to its last page.
  const listData = list.data;
  useEffect(() => {
    if (listData && listData.runs.length === 0 && listData.total > 0 && offset > 0) setOffset(Math.floor((listData.total - 1) / PAGE) * PAGE);
  }, [listData, offset]);
  const total = list.data?.total ?? 0;
  const openRun = detail.data && detail.data.id === openId ? detail.data : (runs.find((r) => r.id === openId) ?? null);

  return (
    <div className="screen history-screen">
      <header className="screen-head">
        <h2>History</h2>
        <div className="filters">
          <label className="inline-field">
            <span>Server</span>
            <select
              value={serverId ?? ''}
              onChange={(e) => {
                setServerId(e.target.value || null);
                setOffset(0);
              }}
            >
              <option value="">All servers</option>
              {(servers.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name || '(unnamed server)'}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            <span>Status</span>
            <select
              value={status ?? ''}
              onChange={(e) => {
                setStatus((e.target.value || null) as RunStatus | null);
                setOffset(0);
              }}
            >
              <option value="">Any status</option>
              {RUN_STATUS_LIST.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>

      <section className="panel" aria-labelledby="chart-title">
        <h3 id="chart-title">Managed and active users</h3>
        {chart.error && <ErrorBox error={chart.error} lead="Could not load the chart:" onRetry={() => void chart.reload()} />}
        {chart.data && <UsersChart points={chart.data} />}
      </section>

      <section className="panel" aria-labelledby="runs-title">
        <div className="panel-head">
          <h3 id="runs-title">Runs</h3>
          <Pager offset={offset} limit={PAGE} total={total} onOffset={setOffset} noun="runs" nounOne="run" testId="runs-pager" />
        </div>
        {list.error && <ErrorBox error={list.error} lead="Could not load the history:" onRetry={() => void list.reload()} />}
        {list.data && runs.length === 0 ? (
          <p className="muted" data-testid="runs-empty">
            {serverId || status ? 'No run matches these filters.' : 'No runs yet. Simulate or synchronize a server on the Sync screen.'}
          </p>
        ) : (
          <div className="table-wrap">
            <DataTable
              columns={[
                'Started',
                'Server',
                'Kind',
                'Trigger',
                'Status',
                { label: 'Duration', num: true },
                { label: 'Entries', num: true },
                'Changes',
              ]}
              className="runs-table"
              busy={list.loading}
            >
              {runs.map((run) => {
                const selected = run.id === openId;
                return (
                  <tr key={run.id} className={selected ? 'selected clickable' : 'clickable'} data-testid="run-row" data-status={run.status} onClick={() => {
                      // Selecting text in a row (to copy it) does not open the run.
                      if (window.getSelection()?.toString()) return;
                      setOpenId(run.id);
                    }}
                  >
                    <td>
                      <button type="button" className="link" aria-current={selected ? 'true' : undefined} title={formatDateTime(run.startedAt)} onClick={(e) => {
                          e.stopPropagation();
                          setOpenId(run.id);
                        }}
                      >
                        {relativeTime(run.startedAt, now)}
                      </button>
                    </td>
                    <td>
                      <span className="truncate long-name" title={run.serverName ?? undefined}>
                        {run.serverName}
                      </span>
                      {run.source && (
                        <div className="muted run-source" data-testid="run-source">
                          {sourceText(run)}
                        </div>
                      )}
                    </td>
                    <td data-testid="run-kind">{KIND_LABELS[run.kind]}</td>
                    <td>{TRIGGER_LABELS[run.trigger]}</td>
                    <td>
                      <StatusBadge status={run.status} />
                    </td>
                    <td className="num">{run.durationMs !== null ? formatDuration(run.durationMs) : '—'}</td>
                    <td className="num">{run.entries !== null ? formatCount(run.entries) : '—'}</td>
                    <td className={run.error ? 'bad' : undefined} title={run.error?.message}>
                      {run.status === 'failed' && run.error ? run.error.message : countsText(run.counts)}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          </div>
        )}
      </section>

      {openId && detail.error && <ErrorBox error={detail.error} lead="Could not open the run:" onRetry={() => void detail.reload()} onDismiss={() => setOpenId(null)} />}
      {openRun && <RunDetail run={openRun} onOpenRun={setOpenId} onClose={() => setOpenId(null)} />}
    </div>
  );
}
