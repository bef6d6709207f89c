import { useTranslation } from 'react-i18next';

type Props = {
  label: string;
  testId: string;
  items: readonly { id: string; name: string }[];
  value: string | null;
  onChange: (id: string | null) => void;
};

/** Pick one (or none) of a short list: officers, counters. */
export const ChoiceChips = ({ label, testId, items, value, onChange }: Props) => {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <div className="chips" role="group" aria-label={label}>
      <p className="field-label">{label}</p>
      <div className="chips-row">
        <button
          type="button"
          className="chip"
          data-testid={testId}
          data-id=""
          aria-pressed={value === null}
          onClick={() => onChange(null)}
        >
          {t('staff.none')}
        </button>
        {items.map((x) => (
          <button
            key={x.id}
            type="button"
            className="chip"
            data-testid={testId}
            data-id={x.id}
            aria-pressed={value === x.id}
            onClick={() => onChange(x.id)}
          >
            {x.name}
          </button>
        ))}
      </div>
    </div>
  );
};
