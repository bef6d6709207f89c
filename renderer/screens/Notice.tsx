import { useTranslation } from 'react-i18next';

type Props = { kind: 'loading' | 'noToken' | 'unavailable'; onRetry?: () => void };

/** Full-screen messages for when there is no survey to show yet. */
export const Notice = ({ kind, onRetry }: Props) => {
  const { t } = useTranslation();
  const text = kind === 'loading' ? t('app.loading') : kind === 'noToken' ? t('app.noToken') : t('app.unavailable');
  return (
    <main className="screen notice" data-testid={`notice-${kind}`}>
      <h1 className="notice-title">{t('app.title')}</h1>
      <p className="notice-text" role={kind === 'loading' ? 'status' : 'alert'}>
        {text}
      </p>
      {onRetry && (
        <button type="button" className="btn btn-big" data-testid="notice-retry" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </main>
  );
};
