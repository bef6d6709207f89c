import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { CONTACT_NAME_MAX } from '../../../shared/follow-up.ts';
import { Keyboard } from '../../keyboard/Keyboard.tsx';
import { fitEdit, lengthOf } from '../../keyboard/layout.ts';

type Props = { value: string; locale: string; invalid: boolean; errorId: string; onChange: (v: string) => void };

/** The optional name on the on-screen keyboard (Telex for Vietnamese), never longer than the core accepts. */
export const NameField = ({ value, locale, invalid, errorId, onChange }: Props) => {
  const { t } = useTranslation();
  const inputId = useId();
  const counterId = useId();
  return (
    <div className="follow-up-name">
      <label htmlFor={inputId} className="field-label">
        {t('followUp.name.label')}
      </label>
      <input
        id={inputId}
        className="follow-up-name-input"
        data-testid="follow-up-name"
        value={value}
        inputMode="none"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={invalid}
        aria-describedby={`${counterId} ${errorId}`}
        onChange={(e) => onChange(fitEdit(value, e.target.value, CONTACT_NAME_MAX))}
      />
      <p id={counterId} className="comment-counter">
        {t('followUp.name.counter', { used: lengthOf(value), max: CONTACT_NAME_MAX })}
      </p>
      <Keyboard
        key={locale}
        value={value}
        onChange={onChange}
        maxLength={CONTACT_NAME_MAX}
        layout="text"
        telexInitially={locale === 'vi'}
      />
    </div>
  );
};
