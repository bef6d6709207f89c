import { useTranslation } from 'react-i18next';
import type { AdminJob } from '../../../shared/admin.ts';
import { formatNumber } from './format.ts';

/** The progress bar of a sync or export: responses done of the total, and what is happening now. */
export const JobProgress = ({ job, locale, testId }: { job: AdminJob; locale: string; testId: string }) => {
  const { t } = useTranslation();
  const total = Math.max(job.total, job.done);
  const label = t('admin.progress', { done: formatNumber(job.done, locale), total: formatNumber(total, locale) });
  const phase =
    job.kind === 'sync'
      ? {
          queued: t('admin.phase.queued'),
          heartbeat: t('admin.phase.heartbeat'),
          config: t('admin.phase.config'),
          sending: t('admin.phase.sending'),
          acked: t('admin.phase.sending'),
          done: t('admin.phase.done'),
        }[job.phase]
      : { writing: t('admin.phase.writing'), checking: t('admin.phase.checking'), done: t('admin.phase.done') }[
          job.phase
        ];
  return (
    <div className="admin-progress" data-testid={testId} data-state={job.state} data-done={job.done} data-total={total}>
      {/* An empty queue is a finished bar, not an empty one. */}
      <progress
        className="progress-bar"
        max={total === 0 ? 1 : total}
        value={total === 0 ? (job.state === 'running' ? 0 : 1) : job.done}
        aria-label={label}
      />
      <span className="admin-progress-text">
        {label} ·{' '}
        {job.state === 'running' ? phase : job.state === 'succeeded' ? t('admin.phase.done') : t('admin.phase.failed')}
      </span>
    </div>
  );
};
