import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/context.ts';
import { BackKey, PadKeys } from '../../components/PadKeys.tsx';
import { useNow } from '../../state/use-now.ts';
import { formatWait } from './procedure-sections.ts';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

const MAX_PIN = 8;
const MIN_PIN = 4;

type Problem = { kind: 'bad'; attemptsLeft: number } | { kind: 'failed' } | null;

type Props = {
  onUnlocked: (session: string) => void;
  onClose: () => void;
  /** Which PIN: the staff panel's (default) or the admin panel's; each has its own lockout in the core. */
  variant?: 'staff' | 'admin';
  /** Shown on the staff PIN pad: the way into the admin panel (its own PIN comes next). */
  onAdmin?: () => void;
  /** A note above the field, e.g. why the PIN is asked for again. */
  note?: string;
};

/** A PIN: a masked field, a 0-9 pad, OK. Wrong PINs and the lockout come from the core. */
export const PinPad = ({ onUnlocked, onClose, variant = 'staff', onAdmin, note }: Props) => {
  const { t } = useTranslation();
  const api = useApi();
  const [pin, setPin] = useState('');
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<Problem>(null);
  const [lockedUntil, setLockedUntil] = useState(0);
  const now = useNow(250, lockedUntil > 0);
  const locked = lockedUntil > now;

  const type = (d: string) => setPin((p) => (p.length < MAX_PIN ? p + d : p));

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (pin.length < MIN_PIN || checking || locked) return;
    setChecking(true);
    const r = variant === 'admin' ? await api.adminUnlock({ pin }) : await api.staffUnlock({ pin });
    setChecking(false);
    setPin('');
    if (r.ok) return onUnlocked(r.value.session);
    const err = r.error;
    if (err.code === 'bad_pin') {
      setProblem({ kind: 'bad', attemptsLeft: err.attemptsLeft });
      setLockedUntil(err.lockedForMs > 0 ? Date.now() + err.lockedForMs : 0);
    } else if (err.code === 'locked') {
      setProblem(null);
      setLockedUntil(Date.now() + err.retryAfterMs);
    } else {
      setProblem({ kind: 'failed' });
    }
  };

  // Once a lockout has run out there are no "attempts left" to count: the pad is simply open again.
  const message = locked
    ? t('staff.locked', { time: formatWait(lockedUntil - now) })
    : problem?.kind === 'bad' && problem.attemptsLeft > 0
      ? t('staff.badPin', { attempts: problem.attemptsLeft })
      : problem?.kind === 'failed'
        ? t('staff.failed')
        : checking
          ? t('staff.checking')
          : '';

  return (
    <form className="pin" onSubmit={(e) => void submit(e)}>
      <h2 id={variant === 'admin' ? 'admin-title' : 'staff-title'}>
        {variant === 'admin' ? t('admin.pinTitle') : t('staff.pinTitle')}
      </h2>
      {note && (
        <p className="pin-note" role="status">
          {note}
        </p>
      )}
      <label htmlFor={`${variant}-pin`} className="pin-label">
        {variant === 'admin' ? t('admin.pinPrompt') : t('staff.pinPrompt')}
      </label>
      <input
        id={`${variant}-pin`}
        className="pin-input"
        data-testid={variant === 'admin' ? 'admin-pin-input' : 'pin-input'}
        type="password"
        inputMode="none"
        autoComplete="off"
        maxLength={MAX_PIN}
        value={pin}
        readOnly={locked}
        onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, MAX_PIN))}
      />
      <p className={`staff-message ${message && !checking ? 'is-error' : ''}`} data-testid="staff-error" role="alert">
        {message}
      </p>
      <div className="pin-pad">
        <PadKeys keys={DIGITS} testId="pin-key" disabled={locked || checking} onKey={type} />
        <BackKey
          testId="pin-key"
          label={t('staff.delete')}
          disabled={locked || checking}
          onBack={() => setPin((p) => p.slice(0, -1))}
        />
        <PadKeys keys={['0']} testId="pin-key" disabled={locked || checking} onKey={type} />
        <button
          type="submit"
          className="pin-key pin-ok"
          data-testid="pin-key"
          data-key="ok"
          disabled={locked || checking || pin.length < MIN_PIN}
        >
          {t('staff.ok')}
        </button>
      </div>
      <div className="pin-actions">
        <button
          type="button"
          className="btn"
          data-testid={variant === 'admin' ? 'admin-close' : 'staff-close'}
          onClick={onClose}
        >
          {t('staff.close')}
        </button>
        {onAdmin && (
          <button type="button" className="btn btn-quiet" data-testid="admin-open" onClick={onAdmin}>
            {t('admin.open')}
          </button>
        )}
      </div>
    </form>
  );
};
