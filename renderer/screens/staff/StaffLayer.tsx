import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Assignment } from '../../../shared/api.ts';
import { AdminPanel } from '../admin/AdminPanel.tsx';
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

/**
 * The hidden way in (hold the top-left corner, or Ctrl+Alt+S) and the panel itself. IT's admin panel
 * opens from the staff PIN pad ("IT admin", then the admin PIN), or with Ctrl+Alt+A.
 */
export const StaffLayer = ({ open, locale, onOpen, onClose, onExpired, onApplied }: Props) => {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'staff' | 'admin'>('staff');
  const press = useLongPress(LONG_PRESS_MS, () => {
    setMode('staff');
    onOpen();
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.ctrlKey || !e.altKey) return;
      const key = e.key.toLowerCase();
      if (e.code === 'KeyS' || key === 's' || e.code === 'KeyA' || key === 'a') {
        e.preventDefault();
        setMode(e.code === 'KeyA' || key === 'a' ? 'admin' : 'staff');
        onOpen();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onOpen]);

  return (
    <>
      {!open && (
        <button
          type="button"
          className="staff-corner"
          data-testid="staff-open"
          tabIndex={-1}
          aria-label={t('staff.open')}
          {...press}
        />
      )}
      {open && mode === 'staff' && (
        <StaffPanel
          locale={locale}
          onClose={onClose}
          onExpired={onExpired}
          onApplied={onApplied}
          onAdmin={() => setMode('admin')}
        />
      )}
      {open && mode === 'admin' && (
        <AdminPanel
          locale={locale}
          onClose={() => {
            setMode('staff');
            onClose();
          }}
        />
      )}
    </>
  );
};
