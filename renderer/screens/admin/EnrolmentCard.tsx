import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminStatus } from '../../../shared/admin.ts';
import { Pin } from '../../../shared/settings.ts';
import { useApi } from '../../api/context.ts';

type Enrolment = NonNullable<AdminStatus['enrolment']>;
type Props = { session: string; enrolment: Enrolment; onExpired: () => void; onReset: (text: string) => void };

/**
 * The enrolment in force, and its deliberate reset: a warning, the admin PIN typed again, and a
 * refusal (from the core) while answers are neither sent nor exported to USB.
 */
export const EnrolmentCard = ({ session, enrolment, onExpired, onReset }: Props) => {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = Pin.safeParse(pin).success && !busy;

  const reset = async () => {
    if (!ready) return;
    setBusy(true);
    setError(null);
    const r = await api.adminResetEnrolment({ session, pin });
    setBusy(false);
    setPin('');
    if (r.ok)
      return onReset(t('admin.resetDone', { unit: r.value.previous.unit.name, url: r.value.previous.centralUrl }));
    const e = r.error;
    if (e.code === 'session_expired') return onExpired();
    if (e.code === 'unsent_responses') return setError(t('admin.resetUnsent', { n: e.unsent }));
    if (e.code === 'bad_pin') return setError(t('admin.resetBadPin'));
    if (e.code === 'locked') return setError(t('staff.locked', { time: `${Math.ceil(e.retryAfterMs / 1000)} s` }));
    setError(e.message);
  };

  return (
    <section className="admin-card" data-testid="admin-enrolment-current">
      <h3>{t('admin.currentEnrolment')}</h3>
      <p>
        {t('admin.enrolledWith', { unit: enrolment.unit.name, url: enrolment.centralUrl })} (
        {new Date(enrolment.enrolledAt).toLocaleString(i18n.language)})
      </p>
      <p className="admin-raw" data-testid="admin-enrolment-key">
        {t('admin.centralKey')}: {enrolment.centralKeyFingerprint}
      </p>
      <p className="admin-result is-error" role="note">
        {t('admin.resetWarning')}
      </p>
      <label className="admin-field is-focused">
        <span className="field-label">{t('admin.resetPinLabel')}</span>
        <input
          className="pin-input"
          type="password"
          inputMode="none"
          autoComplete="off"
          data-testid="admin-reset-pin"
          value={pin}
          maxLength={8}
          onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 8))}
        />
      </label>
      <div className="pin-pad">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9', 'back', '0'].map((k) => (
          <button
            key={k}
            type="button"
            className="pin-key"
            data-testid="admin-reset-key"
            data-key={k}
            aria-label={k === 'back' ? t('staff.delete') : undefined}
            onClick={() => setPin(k === 'back' ? pin.slice(0, -1) : `${pin}${k}`.slice(0, 8))}
          >
            {k === 'back' ? '⌫' : k}
          </button>
        ))}
      </div>
      <div className="admin-actions">
        <button
          type="button"
          className="btn btn-big"
          data-testid="admin-reset-submit"
          disabled={!ready}
          onClick={() => void reset()}
        >
          {t('admin.resetEnrolment')}
        </button>
      </div>
      {error && (
        <p className="staff-message is-error" data-testid="admin-reset-result" role="status">
          {error}
        </p>
      )}
    </section>
  );
};

/** What the kiosk trusts before enrolling, and a demo PIN that holds enrolment and sync back. */
export const TrustNotes = ({ trust }: { trust: AdminStatus['trust'] }) => {
  const { t } = useTranslation();
  return (
    <div data-testid="admin-enrol-trust">
      {trust.demoPins.length > 0 && (
        <p className="admin-result is-error" data-testid="admin-demo-pins" role="note">
          {t('admin.demoPinsWarning', {
            which: trust.demoPins.map((r) => t(r === 'staff' ? 'admin.staffPin' : 'admin.adminPin')).join(', '),
          })}
        </p>
      )}
      <p className="admin-hint" data-testid="admin-pinned-key">
        {trust.pinnedCentralKey
          ? t('admin.pinnedKey', { fingerprint: trust.pinnedCentralKey })
          : t('admin.noPinnedKey')}
      </p>
      {trust.allowPlainHttpLan && <p className="admin-hint">{t('admin.plainHttpAllowed')}</p>}
    </div>
  );
};
