import { STAGE_LABELS, STAGE_NAMES, type CertificateInfo, type StageName } from '../../../src-shared/domain/doctor';
import { formatCount, formatMatches } from '../../ui/format';
import { LdapsearchCommand } from '../../ui/LdapsearchCommand';
import { CertificateIssueBox } from './CertificateIssueBox';
import { stageStatuses, type DoctorState, type StageStatus } from './use-doctor';

const ICONS: Record<StageStatus, string> = { passed: '✓', failed: '✗', skipped: '–', running: '', pending: '·' };
const STATUS_WORDS: Record<StageStatus, string> = { passed: 'passed', failed: 'failed', skipped: 'skipped', running: 'running', pending: 'waiting' };

/** Props of {@link DoctorPanel}. */
export interface DoctorPanelProps {
  state: DoctorState;
  onCancel: () => void;
  onTrust: (cert: CertificateInfo) => void;
  /** Fingerprints already in the draft's trusted list. */
  trustedFingerprints: ReadonlySet<string>;
}

function StageIcon({ status }: { status: StageStatus }) {
  if (status === 'running') return <span className="spinner" aria-hidden="true" />;
  return (
    <span className={`stage-icon stage-icon-${status}`} aria-hidden="true">
      {ICONS[status]}
    </span>
  );
}

function Summary({ state }: { state: DoctorState }) {
  const report = state.report;
  if (state.running) return <p className="doctor-summary muted">Testing…</p>;
  if (!report) return null;
  const parts = [`Reachable ${report.reachable ? '✓' : '✗'}`, `Bind ${report.bindable ? '✓' : '✗'}`];
  if (report.matches !== null) parts.push(formatMatches(report.matches));
  return (
    <p className={report.reachable && report.bindable ? 'doctor-summary ok' : 'doctor-summary bad'} data-testid="doctor-summary">
      {parts.join(' · ')}
    </p>
  );
}

/** The connection doctor at the top of the form: one live row per stage, the summary and the ldapsearch line. */
export function DoctorPanel({ state, onCancel, onTrust, trustedFingerprints }: DoctorPanelProps) {
  if (!state.runId) {
    return (
      <section className="doctor doctor-idle" aria-label="Connection doctor">
        <p className="muted">Test checks name resolution, TCP, TLS, bind, the search base and the filter, one stage at a time. Press Enter in any field to test.</p>
      </section>
    );
  }
  const statuses = stageStatuses(state);
  const report = state.report;
  const stageWithError = STAGE_NAMES.some((n) => state.stages[n]?.error);
  return (
    <section className="doctor" aria-label="Connection doctor" aria-busy={state.running}>
      <div className="doctor-head">
        <Summary state={state} />
        {state.running && (
          <button type="button" onClick={onCancel} disabled={state.cancelled}>
            Cancel
          </button>
        )}
        {state.cancelled && <span className="muted">{state.running ? 'Cancelling…' : 'Test cancelled.'}</span>}
      </div>
      <ol className="stages">
        {STAGE_NAMES.map((name: StageName) => {
          const stage = state.stages[name];
          const status = statuses[name];
          return (
            <li key={name} className={`stage stage-${status}`} data-testid={`stage-${name}`} data-status={status}>
              <div className="stage-row">
                <StageIcon status={status} />
                <span className="stage-label">{STAGE_LABELS[name]}</span>
                <span className="visually-hidden">{STATUS_WORDS[status]}</span>
                <span className="stage-ms">{stage && stage.ok !== null ? `${formatCount(Math.round(stage.ms))} ms` : ''}</span>
                <span className="stage-detail">{stage?.detail ?? ''}</span>
              </div>
              {stage?.error && (
                <p className="stage-error" data-testid={`stage-${name}-error`}>
                  {stage.error.message}
                </p>
              )}
              {name === 'tls' && report?.certificate && (
                <CertificateIssueBox
                  issue={report.certificate}
                  onTrust={onTrust}
                  alreadyTrusted={trustedFingerprints.has(report.certificate.proposed.fingerprint256)}
                />
              )}
            </li>
          );
        })}
      </ol>
      {report?.error && !stageWithError && (
        <p className="stage-error" data-testid="doctor-error">
          {report.error.message}
        </p>
      )}
      {state.error && (
        <p className="stage-error" data-testid="doctor-error">
          The test could not run: {state.error.message}
        </p>
      )}
      {report?.ldapsearch && <LdapsearchCommand command={report.ldapsearch} testId="ldapsearch-command" />}
    </section>
  );
}
