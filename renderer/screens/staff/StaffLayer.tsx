import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Assignment } from '../../../shared/api.ts';
import { StaffPanel } from './StaffPanel.tsx';
import { useLongPress } from './use-long-press.ts';

/** How long the top-left corner must be held to open the staff panel. */
export const LONG_PRESS_MS = 2000;

type Props = {
  open: boolean;
  locale: string;
  onOpen: () => void;
  onClose: () => void;
  onExpired: () => void;
  onApplied: (a: Assignment) => void;
};

/** The hidden way in (hold the top-left corner, or Ctrl+Alt+S) and the panel itself. */
export const StaffLayer = ({ open, locale, onOpen, onClose, onExpired, onApplied }: Props) => {
  const { t } = useTranslation();
  const press = useLongPress(LONG_PRESS_MS, onOpen);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey && e.altKey && (e.code === 'KeyS' || e.key.toLowerCase() === 's')) {
        e.preventDefault();
        onOpen();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onOpen]);

  return (
    <>
      {!open && <button type="button" className="staff-corner" data-testid="staff-open" tabIndex={-1} aria-label={t('staff.open')} {...press} />}
      {open && <StaffPanel locale={locale} onClose={onClose} onExpired={onExpired} onApplied={onApplied} />}
    </>
  );
};
