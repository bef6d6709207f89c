import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CaseNumber } from '../../../shared/response.ts';

const PAD = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '.'] as const;
/** Case numbers carry the unit's code in letters ("000.00.26.H61-251122-0001"): the pad has a letters page. */
const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ/'];
const MAX = 40;

/** True when empty (no case number) or a valid "mã hồ sơ". */
export const caseNumberOk = (v: string): boolean => v.trim() === '' || CaseNumber.safeParse(v).success;

/** Optional case number (mã hồ sơ) with a numeric on-screen pad; a physical keyboard works too. */
export const CaseNumberField = ({ value, onChange }: { value: string; onChange: (v: string) => void }) => {
  const { t } = useTranslation();
  const [letters, setLetters] = useState(false);
  const ok = caseNumberOk(value);
  return (
    <div className="case">
      <label htmlFor="staff-case" className="field-label">
        {t('staff.caseNumber')}
      </label>
      <div className="case-row">
        <input
          id="staff-case"
          className="case-input"
          data-testid="staff-case-number"
          value={value}
          inputMode="none"
          autoComplete="off"
          spellCheck={false}
          maxLength={MAX}
          aria-invalid={!ok}
          aria-describedby={ok ? undefined : 'staff-case-error'}
          onChange={(e) => onChange(e.target.value.slice(0, MAX))}
        />
        <button
          type="button"
          className="btn"
          data-testid="case-key"
          data-key="back"
          aria-label={t('staff.delete')}
          onClick={() => onChange(value.slice(0, -1))}
        >
          ⌫
        </button>
      </div>
      {!ok && (
        <p id="staff-case-error" className="staff-message is-error">
          {t('staff.caseInvalid')}
        </p>
      )}
      <div className={`case-pad ${letters ? 'case-pad-letters' : ''}`}>
        {(letters ? LETTERS : PAD).map((k) => (
          <button
            key={k}
            type="button"
            className="pin-key case-key"
            data-testid="case-key"
            data-key={k}
            onClick={() => onChange((value + k).slice(0, MAX))}
          >
            {k}
          </button>
        ))}
        <button
          type="button"
          className="pin-key case-key case-mode"
          data-testid="case-key"
          data-key="letters"
          aria-pressed={letters}
          onClick={() => setLetters((l) => !l)}
        >
          {t('staff.caseLetters')}
        </button>
      </div>
    </div>
  );
};
