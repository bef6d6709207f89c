import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminStatus, SyncJob } from '../../../shared/admin.ts';
import type { ApiError } from '../../../shared/api.ts';
import { useApi } from '../../api/context.ts';
import type { TabProps } from './tab-props.ts';
import { JobProgress } from './JobProgress.tsx';
import { SyncFailure } from './SyncFailure.tsx';
import { formatBytes, formatNumber, formatTime } from './format.ts';
import { useJob } from './use-job.ts';
import { STATE_KEYS } from './words.ts';

const Row = ({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) => (
  <div className="admin-row" data-testid={testId}>
    <dt>{label}</dt>
    <dd>{children}</dd>
  </div>
);

/** Sync in words (queue, last success, last error and what it means, next try), "sync now", and this kiosk's facts. */
export const StatusTab = ({ session, locale, onExpired, onBusy }: TabProps) => {
  const { t } = useTranslation();
  const api = useApi();
  const [status, setStatus] = useState<AdminStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const handle = useCallback(
    (e: ApiError) =>
      e.code === 'session_expired'
        ? onExpired()
        : setProblem(e.code === 'not_enrolled' ? t('admin.syncNotEnrolled') : t('staff.failed')),
    [onExpired, t],
  );

  const load = useCallback(async () => {
    const r = await api.adminStatus({ session });
    if (!r.ok) return handle(r.error);
    setStatus(r.value);
    return r.value;
  }, [api, session, handle]);

  const onDone = useCallback(() => {
    onBusy(false);
    void load();
  }, [onBusy, load]);
  const { job, follow, running } = useJob<SyncJob>(api, session, onExpired, onDone);

  useEffect(() => {
    void load().then((s) => {
      // Reopened while a pass it started is still running: pick its progress up again.
      const live = s?.jobs.find((j): j is SyncJob => j.kind === 'sync' && j.state === 'running');
      if (live) {
        onBusy(true);
        follow(live);
      }
    });
    return () => onBusy(false);
    // Once per mount; follow/onBusy are stable enough for that.
  }, [load]);

  const syncNow = async () => {
    setProblem(null);
    const r = await api.adminSyncNow({ session });
    if (!r.ok) return handle(r.error);
    onBusy(true);
    follow(r.value);
  };

  if (!status) return <p className="workspace-loading">{problem ?? t('staff.loading')}</p>;
  const s = status.sync;
  const never = t('admin.never');
  return (
    <div
      className="admin-status"
      data-testid="admin-status"
      data-state={s.state}
      data-queue={s.queueDepth}
      data-enrolled={status.enrolment ? 'yes' : 'no'}
    >
      <section className="admin-card">
        <h3>{t('admin.syncTitle')}</h3>
        <p className={`admin-state is-${s.state}`} data-testid="admin-sync-state">
          {t(STATE_KEYS[s.state])}
          {!s.engineRunning && s.state !== 'not_enrolled' ? ` ${t('admin.engineOff')}` : ''}
        </p>
        <dl className="admin-facts">
          <Row label={t('admin.queue')} testId="admin-queue">
            {t('admin.queueValue', {
              count: formatNumber(s.queueDepth, locale),
              acked: formatNumber(s.ackedThrough, locale),
              last: formatNumber(s.lastSeq, locale),
            })}
          </Row>
          <Row label={t('admin.lastSuccess')}>{formatTime(s.lastSuccessAt, locale) ?? never}</Row>
          <Row label={t('admin.lastHeartbeat')}>
            {formatTime(s.lastHeartbeatAt, locale) ?? never}
            {s.clockDriftMs !== null && Math.abs(s.clockDriftMs) > 120_000
              ? ` · ${t('admin.clockDrift', { seconds: Math.round(s.clockDriftMs / 1000) })}`
              : ''}
          </Row>
          <Row label={t('admin.nextAttempt')}>{formatTime(s.nextAttemptAt, locale) ?? '—'}</Row>
          {s.conflicts > 0 && (
            <Row label={t('admin.conflicts')}>{t('admin.conflictsValue', { count: s.conflicts })}</Row>
          )}
          {s.configRefused && (
            <Row label={t('admin.configRefused')}>
              {s.configRefused.version ?? '?'}: {s.configRefused.problems.slice(0, 3).join('; ')}
            </Row>
          )}
        </dl>
        {s.lastError && (
          <SyncFailure failure={s.lastError} at={formatTime(s.lastError.at, locale)} testId="admin-last-error" />
        )}
        <div className="admin-actions">
          <button
            type="button"
            className="btn btn-primary btn-big"
            data-testid="admin-sync-now"
            disabled={running || !status.enrolment}
            onClick={() => void syncNow()}
          >
            {running ? t('admin.syncing') : t('admin.syncNow')}
          </button>
          <button type="button" className="btn" data-testid="admin-refresh" onClick={() => void load()}>
            {t('admin.refresh')}
          </button>
        </div>
        {!status.enrolment && <p className="admin-hint">{t('admin.syncNotEnrolled')}</p>}
        {problem && (
          <p className="staff-message is-error" role="alert">
            {problem}
          </p>
        )}
        {job && (
          <>
            <JobProgress job={job} locale={locale} testId="admin-sync-progress" />
            {job.state !== 'running' && (
              <div className="admin-result" data-testid="admin-sync-result" data-state={job.state} role="status">
                {job.result && (
                  <p>
                    {t('admin.syncResult', {
                      sent: formatNumber(job.result.responses, locale),
                      inserted: formatNumber(job.result.inserted, locale),
                      duplicates: formatNumber(job.result.duplicates, locale),
                      waiting: formatNumber(job.result.queueDepth, locale),
                    })}
                  </p>
                )}
                {job.error && <SyncFailure failure={job.error} at={null} testId="admin-sync-error" />}
              </div>
            )}
          </>
        )}
      </section>
      <section className="admin-card">
        <h3>{t('admin.kioskTitle')}</h3>
        <dl className="admin-facts">
          <Row label={t('admin.enrolment')} testId="admin-enrolment">
            {status.enrolment
              ? t('admin.enrolledWith', { unit: status.enrolment.unit.name, url: status.enrolment.centralUrl })
              : t('admin.notEnrolled')}
          </Row>
          <Row label={t('admin.deviceId')}>
            <code>{status.device.deviceId}</code>
          </Row>
          <Row label={t('admin.appVersion')}>{status.device.appVersion}</Row>
          <Row label={t('admin.configVersion')}>{status.device.configVersion}</Row>
          <Row label={t('admin.dataDir')}>
            <code>{status.device.dataDir}</code>
          </Row>
          <Row label={t('admin.freeDisk')}>{formatBytes(status.device.freeDiskBytes, locale)}</Row>
          <Row label={t('admin.responses')}>{formatNumber(status.device.responses, locale)}</Row>
          <Row label={t('admin.lastExport')}>
            {status.lastExport
              ? t('admin.lastExportValue', {
                  at: formatTime(status.lastExport.at, locale),
                  files: status.lastExport.files,
                  count: formatNumber(status.lastExport.responses, locale),
                  target: status.lastExport.target,
                })
              : never}
          </Row>
        </dl>
      </section>
    </div>
  );
};
