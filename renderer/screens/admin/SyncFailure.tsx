import { useTranslation } from 'react-i18next';
import { SYNC_ERROR_KEYS, isKnownSyncError } from './words.ts';

type Failure = { code: string; message: string; status: number | null; meaning: string; action: string };

/** A sync failure for IT: what it means and what to do, in the panel's language; the raw message below. */
export const SyncFailure = ({ failure, at, testId }: { failure: Failure; at: string | null; testId: string }) => {
  const { t } = useTranslation();
  const known = isKnownSyncError(failure.code) ? SYNC_ERROR_KEYS[failure.code] : null;
  return (
    <div className="admin-failure" data-testid={testId} data-code={failure.code}>
      <p>
        <strong>{t('admin.errorMeaning')}</strong> {known ? t(known[0]) : failure.meaning}
      </p>
      <p>
        <strong>{t('admin.errorAction')}</strong> {known ? t(known[1]) : failure.action}
      </p>
      <p className="admin-raw">
        {failure.code}
        {failure.status !== null ? ` (HTTP ${failure.status})` : ''}
        {at ? ` · ${at}` : ''}: {failure.message}
      </p>
    </div>
  );
};
