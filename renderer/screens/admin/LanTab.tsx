import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminLanStatus, LanClientView } from '../../../shared/admin-lan.ts';
import { useApi } from '../../api/context.ts';
import type { TabProps } from './tab-props.ts';
import { formatTime } from './format.ts';

/** The list and the open code's state refresh this often while the tab is open (a PC pairs from its own desk). */
const REFRESH_MS = 3_000;

/** "12345678" as IT reads it aloud: "1234 5678". */
const spaced = (code: string) => `${code.slice(0, 4)} ${code.slice(4)}`;

const ClientRow = ({ c, locale, onRevoke }: { c: LanClientView; locale: string; onRevoke: () => void }) => {
  const { t } = useTranslation();
  return (
    <tr data-testid="admin-lan-client" data-revoked={c.revokedAt !== null}>
      <td>{c.label}</td>
      <td>{formatTime(c.pairedAt, locale)}</td>
      <td>{formatTime(c.lastSeenAt, locale) ?? t('admin.never')}</td>
      <td>
        {c.revokedAt ? (
          t('admin.lan.revokedAt', { at: formatTime(c.revokedAt, locale) })
        ) : (
          <button type="button" className="btn" data-testid="admin-lan-revoke" onClick={onRevoke}>
            {t('admin.lan.revoke')}
          </button>
        )}
      </td>
    </tr>
  );
};

/**
 * "Ghép nối máy tính quầy" (issue 11, LAN bridge): turn listening on the office network on or off, show
 * a one-time code a counter PC pairs with, and the paired PCs with revoke. The code is shown only here,
 * once, when made; the core keeps it hashed.
 */
export const LanTab = ({ session, locale, onExpired }: TabProps) => {
  const { t } = useTranslation();
  const api = useApi();
  const [status, setStatus] = useState<AdminLanStatus | null>(null);
  const [code, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  const [failed, setFailed] = useState(false);

  const settle = useCallback(
    <T,>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T | null => {
      if (r.ok) return r.value;
      if (r.error.code === 'session_expired') onExpired();
      else setFailed(true);
      return null;
    },
    [onExpired],
  );

  const refresh = useCallback(async () => {
    const s = settle(await api.adminLanStatus({ session }));
    if (!s) return;
    setStatus(s);
    // The code was used, replaced, voided or ran out: it is no use to anyone any more.
    if (!s.openCode) setCode(null);
  }, [api, session, settle]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  if (!status) return <p className="workspace-loading">{failed ? t('staff.failed') : t('staff.loading')}</p>;

  const toggle = async () => {
    const s = settle(await api.adminLanSetEnabled({ session, enabled: !status.enabled }));
    if (s) setStatus(s);
  };
  const newCode = async () => {
    const made = settle(await api.adminLanNewCode({ session }));
    if (made) setCode(made);
    await refresh();
  };
  const revoke = async (clientId: string) => {
    if (settle(await api.adminLanRevoke({ session, clientId }))) await refresh();
  };

  return (
    <div className="admin-lan" data-testid="admin-lan">
      <p className="admin-lead">{t('admin.lan.lead')}</p>
      {failed && (
        <p className="staff-message is-error" role="alert">
          {t('staff.failed')}
        </p>
      )}
      <section className="admin-card">
        <p data-testid="admin-lan-state" data-enabled={status.enabled} data-listening={status.listening !== null}>
          {!status.enabled
            ? t('admin.lan.off')
            : status.listening
              ? t('admin.lan.listening', { address: status.listening })
              : t('admin.lan.cannotListen', { error: status.error ?? '' })}
        </p>
        {status.pageUrls.length > 0 && (
          <p>
            {t('admin.lan.openOnPc')}{' '}
            {status.pageUrls.map((u) => (
              <code key={u} data-testid="admin-lan-url">
                {u}{' '}
              </code>
            ))}
          </p>
        )}
        <button type="button" className="btn" data-testid="admin-lan-toggle" onClick={() => void toggle()}>
          {status.enabled ? t('admin.lan.turnOff') : t('admin.lan.turnOn')}
        </button>
        {!status.enabled && <p>{t('admin.lan.offHint')}</p>}
      </section>
      <section className="admin-card">
        <h3>{t('admin.lan.pairTitle')}</h3>
        {code ? (
          <p className="admin-lan-code-line">
            <span className="admin-lan-code" data-testid="admin-lan-code" data-code={code.code}>
              {spaced(code.code)}
            </span>{' '}
            {t('admin.lan.codeUntil', { at: formatTime(code.expiresAt, locale) })}
          </p>
        ) : status.openCode ? (
          <p>{t('admin.lan.codeOpen', { at: formatTime(status.openCode.expiresAt, locale) })}</p>
        ) : null}
        <button
          type="button"
          className="btn btn-primary"
          data-testid="admin-lan-new-code"
          disabled={!status.enabled}
          onClick={() => void newCode()}
        >
          {t('admin.lan.newCode')}
        </button>
      </section>
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.lan.pc')}</th>
            <th scope="col">{t('admin.lan.pairedAt')}</th>
            <th scope="col">{t('admin.lan.lastSeen')}</th>
            <th scope="col">{t('admin.lan.access')}</th>
          </tr>
        </thead>
        <tbody>
          {status.clients.length === 0 ? (
            <tr>
              <td colSpan={4}>{t('admin.lan.noClients')}</td>
            </tr>
          ) : (
            status.clients.map((c) => <ClientRow key={c.id} c={c} locale={locale} onRevoke={() => void revoke(c.id)} />)
          )}
        </tbody>
      </table>
    </div>
  );
};
