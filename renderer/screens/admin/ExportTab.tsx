import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportJob, ExportTarget } from '../../../shared/admin.ts';
import type { ApiError } from '../../../shared/api.ts';
import { useApi } from '../../api/context.ts';
import { Keyboard } from '../../keyboard/Keyboard.tsx';
import type { TabProps } from './tab-props.ts';
import { JobProgress } from './JobProgress.tsx';
import { formatBytes, formatNumber } from './format.ts';
import { useJob } from './use-job.ts';
import { TARGET_ERROR_KEYS } from './words.ts';

type Choice = { kind: 'drive'; path: string } | { kind: 'folder' };

/**
 * Export to a USB stick (or a folder): the removable drives the kiosk sees, or a folder typed in;
 * signed .kbatch files written with a progress bar, each read back and checked.
 */
export const ExportTab = ({ session, locale, onExpired, onBusy }: TabProps) => {
  const { t } = useTranslation();
  const api = useApi();
  const [targets, setTargets] = useState<ExportTarget[] | null>(null);
  const [folder, setFolder] = useState('');
  const [choice, setChoice] = useState<Choice>({ kind: 'folder' });
  const [problem, setProblem] = useState<{ text: string; detail?: string } | null>(null);

  const handle = useCallback(
    (e: ApiError) => {
      if (e.code === 'session_expired') return onExpired();
      if (e.code === 'target_unusable') return setProblem({ text: t(TARGET_ERROR_KEYS[e.reason]), detail: e.message });
      if (e.code === 'not_enrolled') return setProblem({ text: t('admin.exportNotEnrolled') });
      if (e.code === 'busy') return setProblem({ text: t('admin.exportBusy') });
      setProblem({ text: t('staff.failed'), detail: e.message });
    },
    [onExpired, t],
  );

  const scan = useCallback(async () => {
    const r = await api.adminListExportTargets({ session });
    if (!r.ok) return handle(r.error);
    setTargets(r.value.targets);
    setFolder((f) => f || r.value.suggestedFolder);
    // A drive that is plugged in is what IT came for: offer it first.
    const first = r.value.targets.find((x) => x.writable);
    if (first) setChoice((c) => (c.kind === 'folder' ? { kind: 'drive', path: first.path } : c));
  }, [api, session, handle]);

  const { job, follow, running } = useJob<ExportJob>(api, session, onExpired, () => onBusy(false));

  useEffect(() => {
    void scan();
    // An export still running from before (the panel was closed or the tab left): show it.
    void api.adminStatus({ session }).then((r) => {
      const live = r.ok
        ? r.value.jobs.find((j): j is ExportJob => j.kind === 'export' && j.state === 'running')
        : undefined;
      if (live) {
        onBusy(true);
        follow(live);
      }
    });
    return () => onBusy(false);
  }, [scan]);

  const target = choice.kind === 'drive' ? choice.path : folder.trim();
  const start = async () => {
    if (!target || running) return;
    setProblem(null);
    const r = await api.adminExport({ session, target });
    if (!r.ok) return handle(r.error);
    onBusy(true);
    follow(r.value);
  };

  return (
    <div className="admin-form">
      <p className="admin-lead">{t('admin.exportLead')}</p>
      <div className="admin-targets" role="radiogroup" aria-label={t('admin.exportTargets')}>
        {targets?.length === 0 && <p className="admin-hint">{t('admin.noDrives')}</p>}
        {targets?.map((x) => (
          <button
            key={x.path}
            type="button"
            role="radio"
            aria-checked={choice.kind === 'drive' && choice.path === x.path}
            className="admin-target"
            data-testid="admin-export-target"
            data-path={x.path}
            disabled={!x.writable}
            onClick={() => setChoice({ kind: 'drive', path: x.path })}
          >
            <strong>{x.label}</strong> <code>{x.path}</code> ·{' '}
            {x.writable ? t('admin.free', { size: formatBytes(x.freeBytes, locale) }) : t('admin.readOnly')}
          </button>
        ))}
        <button
          type="button"
          role="radio"
          aria-checked={choice.kind === 'folder'}
          className="admin-target"
          data-testid="admin-export-target"
          data-path="folder"
          onClick={() => setChoice({ kind: 'folder' })}
        >
          <strong>{t('admin.folder')}</strong>
        </button>
        <button type="button" className="btn" data-testid="admin-export-rescan" onClick={() => void scan()}>
          {t('admin.rescan')}
        </button>
      </div>
      {choice.kind === 'folder' && (
        <>
          <label className="admin-field is-focused">
            <span className="field-label">{t('admin.folderPath')}</span>
            <input
              className="case-input"
              data-testid="admin-export-folder"
              value={folder}
              inputMode="none"
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setFolder(e.target.value)}
            />
          </label>
        </>
      )}
      <div className="admin-actions">
        <button
          type="button"
          className="btn btn-primary btn-big"
          data-testid="admin-export"
          disabled={!target || running}
          onClick={() => void start()}
        >
          {running ? t('admin.exporting') : t('admin.export')}
        </button>
      </div>
      {problem && (
        <div className="admin-result is-error" role="alert" data-testid="admin-export-error">
          <p>{problem.text}</p>
          {problem.detail && <p className="admin-raw">{problem.detail}</p>}
        </div>
      )}
      {job && <JobProgress job={job} locale={locale} testId="admin-export-progress" />}
      {job && job.state !== 'running' && (
        <div
          className={`admin-result ${job.state === 'succeeded' ? 'is-ok' : 'is-error'}`}
          data-testid="admin-export-result"
          data-state={job.state}
          data-files={job.files.length}
          role="status"
        >
          {job.state === 'succeeded' ? (
            job.files.length === 0 ? (
              <p>{t('admin.exportNothing')}</p>
            ) : (
              <>
                <p>
                  {t('admin.exportDone', {
                    files: job.files.length,
                    count: formatNumber(job.done, locale),
                    size: formatBytes(job.bytes, locale),
                    target: job.target,
                  })}
                </p>
                <p>{t('admin.exportNext')}</p>
              </>
            )
          ) : (
            <>
              <p>{t('admin.exportFailed')}</p>
              {job.error && <p className="admin-raw">{job.error.message}</p>}
            </>
          )}
          {job.files.length > 0 && (
            <ul className="admin-files">
              {job.files.map((f) => (
                <li key={f.name}>
                  <code>{f.name}</code> ·{' '}
                  {t('admin.fileSeq', { from: f.seqFrom, to: f.seqTo, count: formatNumber(f.count, locale) })} ·{' '}
                  {formatBytes(f.bytes, locale)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {/* Last, so the button, the bar and the result stay in view above it. */}
      {choice.kind === 'folder' && <Keyboard layout="url" value={folder} onChange={setFolder} maxLength={1024} />}
    </div>
  );
};
