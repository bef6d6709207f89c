import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type PinRole, pinRuleProblem } from '../../../shared/admin.ts';
import { Pin } from '../../../shared/settings.ts';
import { useApi } from '../../api/context.ts';
import { BackKey, PadKeys } from '../../components/PadKeys.tsx';
import type { TabProps } from './tab-props.ts';
import { PIN_RULE_KEYS } from './words.ts';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

type Which = 'pin' | 'repeat';
const MAX = 8;

/** A new staff or admin PIN, typed twice on a digit pad; the rules are shared with the core. */
export const PinsTab = ({ session, onExpired }: TabProps) => {
  const { t } = useTranslation();
  const api = useApi();
  const [role, setRole] = useState<PinRole>('staff');
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [field, setField] = useState<Which>('pin');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const formatOk = Pin.safeParse(pin).success;
  const rule = formatOk ? pinRuleProblem(role, pin) : null;
  const mismatch = repeat.length > 0 && repeat !== pin;
  const ready = formatOk && rule === null && repeat === pin && !busy;

  const type = (d: string) => {
    setResult(null);
    if (field === 'pin') setPin((p) => (p.length < MAX ? p + d : p));
    else setRepeat((p) => (p.length < MAX ? p + d : p));
  };
  const back = () => (field === 'pin' ? setPin((p) => p.slice(0, -1)) : setRepeat((p) => p.slice(0, -1)));

  const submit = async () => {
    if (!ready) return;
    setBusy(true);
    const r = await api.adminChangePin({ session, role, newPin: pin });
    setBusy(false);
    setPin('');
    setRepeat('');
    setField('pin');
    if (r.ok)
      return setResult({ ok: true, text: t(role === 'staff' ? 'admin.pinChangedStaff' : 'admin.pinChangedAdmin') });
    if (r.error.code === 'session_expired') return onExpired();
    if (r.error.code === 'pin_rule') return setResult({ ok: false, text: t(PIN_RULE_KEYS[r.error.reason]) });
    setResult({ ok: false, text: t('staff.failed') });
  };

  const hint = rule
    ? t(PIN_RULE_KEYS[rule])
    : mismatch
      ? t('admin.pinMismatch')
      : t(role === 'admin' ? 'admin.pinHintAdmin' : 'admin.pinHintStaff');
  const masked = (which: Which, value: string, testId: string, label: string) => (
    <label className={`admin-field ${field === which ? 'is-focused' : ''}`}>
      <span className="field-label">{label}</span>
      <input
        className="pin-input"
        type="password"
        inputMode="none"
        autoComplete="new-password"
        data-testid={testId}
        value={value}
        maxLength={MAX}
        onFocus={() => setField(which)}
        onChange={(e) => (which === 'pin' ? setPin : setRepeat)(e.target.value.replace(/\D/g, '').slice(0, MAX))}
      />
    </label>
  );

  return (
    <div className="admin-pins">
      <div className="admin-pins-fields">
        <div className="admin-choice" role="radiogroup" aria-label={t('admin.pinWhich')}>
          {(['staff', 'admin'] as const).map((r) => (
            <button
              key={r}
              type="button"
              role="radio"
              aria-checked={role === r}
              className="admin-target"
              data-testid={`admin-pin-role-${r}`}
              onClick={() => {
                setRole(r);
                setResult(null);
              }}
            >
              {r === 'staff' ? t('admin.staffPin') : t('admin.adminPin')}
            </button>
          ))}
        </div>
        {masked('pin', pin, 'admin-pin-new', t('admin.newPin'))}
        {masked('repeat', repeat, 'admin-pin-repeat', t('admin.repeatPin'))}
        <p className={`admin-hint ${rule || mismatch ? 'is-error' : ''}`}>{hint}</p>
        <div className="admin-actions">
          <button
            type="button"
            className="btn btn-primary btn-big"
            data-testid="admin-pin-submit"
            disabled={!ready}
            onClick={() => void submit()}
          >
            {t('admin.changePin')}
          </button>
        </div>
        {result && (
          <p
            className={`staff-message ${result.ok ? '' : 'is-error'}`}
            data-testid="admin-pin-result"
            data-ok={result.ok ? 'yes' : 'no'}
            role="status"
          >
            {result.text}
          </p>
        )}
      </div>
      <div className="pin-pad">
        <PadKeys keys={DIGITS} testId="admin-pin-key" onKey={type} />
        <BackKey testId="admin-pin-key" label={t('staff.delete')} onBack={back} />
        <PadKeys keys={['0']} testId="admin-pin-key" onKey={type} />
        <button
          type="button"
          className="pin-key"
          data-testid="admin-pin-key"
          data-key="next"
          aria-label={t('admin.pinSwitchField')}
          onClick={() => setField(field === 'pin' ? 'repeat' : 'pin')}
        >
          ⇅
        </button>
      </div>
    </div>
  );
};
