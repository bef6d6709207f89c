import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { BackKey, PadKeys } from '../../components/PadKeys.tsx';

/** Long enough for "+84 912 345 678" as typed; the number itself is checked by normaliseVnPhone. */
export const PHONE_MAX = 16;
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '0'] as const;

type Props = { value: string; invalid: boolean; errorId: string; onChange: (v: string) => void };

/** The phone number on a large 0-9 pad; a physical keyboard works too (digits, +, spaces only). */
export const PhonePad = ({ value, invalid, errorId, onChange }: Props) => {
  const { t } = useTranslation();
  const inputId = useId();
  const type = (k: string) => onChange((value + k).slice(0, PHONE_MAX));
  return (
    <div className="follow-up-phone">
      <label htmlFor={inputId} className="field-label">
        {t('followUp.phone.label')}
      </label>
      <input
        id={inputId}
        className="pin-input follow-up-phone-input"
        data-testid="follow-up-phone"
        value={value}
        inputMode="none"
        autoComplete="off"
        spellCheck={false}
        maxLength={PHONE_MAX}
        aria-invalid={invalid}
        aria-describedby={errorId}
        onChange={(e) => onChange(e.target.value.replace(/[^\d+ ]/g, '').slice(0, PHONE_MAX))}
      />
      <div className="pin-pad follow-up-pad">
        <PadKeys keys={KEYS} testId="phone-key" onKey={type} />
        <BackKey testId="phone-key" label={t('followUp.phone.delete')} onBack={() => onChange(value.slice(0, -1))} />
      </div>
    </div>
  );
};
