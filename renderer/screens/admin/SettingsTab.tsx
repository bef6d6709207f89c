import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AdminOpeningHours, type AdminSettings, openingHoursOverlaps } from '../../../shared/admin.ts';
import { settingSchemas } from '../../../shared/settings.ts';
import { useApi } from '../../api/context.ts';
import { DisplaySwitches } from './DisplaySwitches.tsx';
import type { TabProps } from './tab-props.ts';
import { shiftClock } from './format.ts';
import { DAY_KEYS } from './words.ts';

type Interval = AdminSettings['openingHours'][number];

const Stepper = ({
  label,
  value,
  step,
  testId,
  onChange,
}: {
  label: string;
  value: number;
  step: number;
  testId: string;
  onChange: (v: number) => void;
}) => {
  const { t } = useTranslation();
  return (
    <div className="admin-stepper" data-testid={testId} data-value={value}>
      <span className="field-label">{label}</span>
      <button
        type="button"
        className="pin-key"
        data-testid={`${testId}-down`}
        aria-label={t('admin.less', { label })}
        onClick={() => onChange(value - step)}
      >
        −
      </button>
      <output className="admin-stepper-value">{value}</output>
      <button
        type="button"
        className="pin-key"
        data-testid={`${testId}-up`}
        aria-label={t('admin.more', { label })}
        onClick={() => onChange(value + step)}
      >
        +
      </button>
    </div>
  );
};

/**
 * Opening hours (the kiosk sleeps outside them), the idle prompt's timings and the citizen display (accessible
 * layout, picture-first), checked by the shared schemas.
 */
export const SettingsTab = ({ session, onExpired }: TabProps) => {
  const { t } = useTranslation();
  const api = useApi();
  const [value, setValue] = useState<AdminSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    void api.adminGetSettings({ session }).then((r) => {
      if (r.ok) setValue(r.value);
      else if (r.error.code === 'session_expired') onExpired();
      else setResult({ ok: false, text: t('staff.failed') });
    });
  }, [api, session]);

  if (!value) return <p className="workspace-loading">{result?.text ?? t('staff.loading')}</p>;

  const edit = (next: Partial<AdminSettings>) => {
    setResult(null);
    setValue({ ...value, ...next });
  };
  const editInterval = (i: number, next: Partial<Interval>) =>
    edit({ openingHours: value.openingHours.map((h, j) => (j === i ? { ...h, ...next } : h)) });
  const toggleDay = (i: number, day: number) => {
    const days = value.openingHours[i]!.days;
    editInterval(i, { days: days.includes(day) ? days.filter((d) => d !== day) : [...days, day].sort() });
  };

  const idleOk = settingSchemas.idleSeconds.safeParse(value.idleSeconds).success;
  const countdownOk = settingSchemas.countdownSeconds.safeParse(value.countdownSeconds).success;
  const hoursOk = AdminOpeningHours.safeParse(value.openingHours).success;
  const overlaps = openingHoursOverlaps(value.openingHours);
  const problem = (i: number, h: Interval): string | null => {
    if (h.days.length === 0) return t('admin.noDays');
    if (h.from >= h.to) return t('admin.fromBeforeTo');
    const o = overlaps.find((x) => x.index === i);
    return o ? t('admin.overlaps', { other: o.other + 1 }) : null;
  };

  const save = async () => {
    if (!idleOk || !countdownOk || !hoursOk || busy) return;
    setBusy(true);
    const r = await api.adminSetSettings({ session, ...value });
    setBusy(false);
    if (r.ok) {
      setValue(r.value);
      return setResult({ ok: true, text: t('admin.settingsSaved') });
    }
    if (r.error.code === 'session_expired') return onExpired();
    setResult({ ok: false, text: r.error.code === 'invalid_input' ? t('admin.settingsInvalid') : t('staff.failed') });
  };

  return (
    <div className="admin-form admin-settings">
      <div className="admin-steppers">
        <Stepper
          label={t('admin.idleSeconds')}
          value={value.idleSeconds}
          step={5}
          testId="admin-idle"
          onChange={(v) => edit({ idleSeconds: v })}
        />
        <Stepper
          label={t('admin.countdownSeconds')}
          value={value.countdownSeconds}
          step={1}
          testId="admin-countdown"
          onChange={(v) => edit({ countdownSeconds: v })}
        />
      </div>
      {(!idleOk || !countdownOk) && <p className="admin-hint is-error">{t('admin.secondsRange')}</p>}
      <DisplaySwitches value={value} onChange={edit} />
      <h3>{t('admin.openingHours')}</h3>
      <p className="admin-hint">{t('admin.openingHoursHint')}</p>
      <ol className="admin-hours">
        {value.openingHours.map((h, i) => {
          const p = problem(i, h);
          return (
            <li key={i} className="admin-interval" data-testid="admin-interval">
              <div className="admin-days">
                {DAY_KEYS.map(([day, key]) => (
                  <button
                    key={day}
                    type="button"
                    className="admin-day"
                    aria-pressed={h.days.includes(day)}
                    data-testid="admin-day"
                    data-day={day}
                    onClick={() => toggleDay(i, day)}
                  >
                    {t(key)}
                  </button>
                ))}
              </div>
              <div className="admin-times">
                {(['from', 'to'] as const).map((end) => (
                  <span key={end} className="admin-time">
                    <span className="field-label">{end === 'from' ? t('admin.from') : t('admin.to')}</span>
                    <button
                      type="button"
                      className="pin-key"
                      data-testid={`admin-${end}-down`}
                      aria-label={t('admin.earlier')}
                      onClick={() => editInterval(i, { [end]: shiftClock(h[end], -15) })}
                    >
                      −
                    </button>
                    <output data-testid={`admin-${end}`}>{h[end]}</output>
                    <button
                      type="button"
                      className="pin-key"
                      data-testid={`admin-${end}-up`}
                      aria-label={t('admin.later')}
                      onClick={() => editInterval(i, { [end]: shiftClock(h[end], 15) })}
                    >
                      +
                    </button>
                  </span>
                ))}
                <button
                  type="button"
                  className="btn"
                  data-testid="admin-interval-remove"
                  onClick={() => edit({ openingHours: value.openingHours.filter((_, j) => j !== i) })}
                >
                  {t('admin.remove')}
                </button>
              </div>
              {p && <p className="admin-hint is-error">{p}</p>}
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        className="btn"
        data-testid="admin-interval-add"
        onClick={() =>
          edit({ openingHours: [...value.openingHours, { days: [1, 2, 3, 4, 5], from: '07:30', to: '11:30' }] })
        }
      >
        {t('admin.addInterval')}
      </button>
      {value.openingHours.length === 0 && <p className="admin-hint">{t('admin.neverOpen')}</p>}
      <div className="admin-actions">
        <button
          type="button"
          className="btn btn-primary btn-big"
          data-testid="admin-settings-save"
          disabled={!idleOk || !countdownOk || !hoursOk || busy}
          onClick={() => void save()}
        >
          {t('admin.save')}
        </button>
      </div>
      {result && (
        <p className={`staff-message ${result.ok ? '' : 'is-error'}`} data-testid="admin-settings-result" role="status">
          {result.text}
        </p>
      )}
    </div>
  );
};
