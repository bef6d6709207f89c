import { useTranslation } from 'react-i18next';
import type { AdminSettings } from '../../../shared/admin.ts';

type DisplayKey = 'accessibleLayout' | 'pictureFirst';

const SWITCHES = [
  { key: 'accessibleLayout', label: 'admin.accessibleLayout', hint: 'admin.accessibleLayoutHint' },
  { key: 'pictureFirst', label: 'admin.pictureFirst', hint: 'admin.pictureFirstHint' },
] as const satisfies readonly { key: DisplayKey; label: string; hint: string }[];

/** This kiosk's display for citizens (issue 15): the accessible layout and picture-first, each on or off. */
export const DisplaySwitches = ({
  value,
  onChange,
}: {
  value: Pick<AdminSettings, DisplayKey>;
  onChange: (next: Partial<Pick<AdminSettings, DisplayKey>>) => void;
}) => {
  const { t } = useTranslation();
  return (
    <>
      <h3>{t('admin.displayFor')}</h3>
      <ul className="admin-switches">
        {SWITCHES.map(({ key, label, hint }) => (
          <li key={key} className="admin-switch">
            <button
              type="button"
              role="switch"
              className="toggle"
              aria-checked={value[key]}
              aria-describedby={`admin-${key}-hint`}
              data-testid={`admin-${key}`}
              onClick={() => onChange({ [key]: !value[key] })}
            >
              {t(label)}: {value[key] ? t('admin.on') : t('admin.off')}
            </button>
            <p id={`admin-${key}-hint`} className="admin-hint">
              {t(hint)}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
};
