import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntryView } from '../../../shared/admin.ts';
import { useApi } from '../../api/context.ts';
import type { TabProps } from './tab-props.ts';
import { compactDetails, formatTime } from './format.ts';
import { auditActionKey, auditActorKey } from './words.ts';

const PAGE = 30;

/** The audit log, newest first, a page at a time: PIN failures, switches, enrolment, exports, changes. */
export const AuditTab = ({ session, locale, onExpired }: TabProps) => {
  const { t } = useTranslation();
  const api = useApi();
  const [entries, setEntries] = useState<AuditEntryView[]>([]);
  const [next, setNext] = useState<number | null | undefined>(undefined);
  const [total, setTotal] = useState(0);
  const [failed, setFailed] = useState(false);

  const more = useCallback(
    async (before?: number) => {
      const r = await api.adminAuditLog({ session, limit: PAGE, ...(before ? { before } : {}) });
      if (!r.ok) {
        if (r.error.code === 'session_expired') onExpired();
        else setFailed(true);
        return;
      }
      setEntries((e) => (before ? [...e, ...r.value.entries] : r.value.entries));
      setNext(r.value.nextBefore);
      setTotal(r.value.total);
    },
    [api, session, onExpired],
  );

  useEffect(() => {
    void more();
  }, [more]);

  return (
    <div className="admin-audit" data-testid="admin-audit">
      <p className="admin-lead">{t('admin.auditLead', { shown: entries.length, total })}</p>
      {failed && (
        <p className="staff-message is-error" role="alert">
          {t('staff.failed')}
        </p>
      )}
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.auditAt')}</th>
            <th scope="col">{t('admin.auditWho')}</th>
            <th scope="col">{t('admin.auditWhat')}</th>
            <th scope="col">{t('admin.auditDetails')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const action = auditActionKey(e.action);
            const actor = auditActorKey(e.actor);
            return (
              <tr key={e.id} data-testid="admin-audit-entry" data-action={e.action}>
                <td>{formatTime(e.at, locale)}</td>
                <td>{actor ? t(actor) : e.actor}</td>
                <td>{action ? t(action) : e.action}</td>
                <td>
                  <code>{compactDetails(e.details)}</code>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {next !== null && next !== undefined && (
        <button type="button" className="btn" data-testid="admin-audit-more" onClick={() => void more(next)}>
          {t('admin.auditMore')}
        </button>
      )}
    </div>
  );
};
