import type { Assignment } from '../../../shared/api.ts';
import { useApi } from '../../api/context.ts';
import { usePanelSession } from '../../state/use-panel-session.ts';
import { PinPad } from './PinPad.tsx';
import { StaffWorkspace } from './StaffWorkspace.tsx';

/** The panel closes itself after this long without a touch. */
export const STAFF_IDLE_MS = 60_000;

type Props = {
  locale: string;
  onClose: () => void;
  /** The core ended the staff session (it expired): the panel is closed with a note. */
  onExpired: () => void;
  onApplied: (a: Assignment) => void;
  /** From the PIN pad to the admin panel (which asks for the admin PIN). */
  onAdmin?: () => void;
};

/** PIN first, then the workspace; locks the session whenever it closes. */
export const StaffPanel = ({ locale, onClose, onExpired, onApplied, onAdmin }: Props) => {
  const api = useApi();
  const { session, setSession, close } = usePanelSession('staff', STAFF_IDLE_MS, true, onClose);

  return (
    <div className="staff-backdrop">
      <div
        className={`staff-panel ${session ? 'is-open' : 'is-pin'}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby="staff-title"
        data-testid="staff-panel"
      >
        {session === null ? (
          <PinPad onClose={close} onUnlocked={setSession} onAdmin={onAdmin} />
        ) : (
          <StaffWorkspace
            session={session}
            locale={locale}
            onExpired={onExpired}
            onApplied={(a) => {
              void api.staffLock({ session });
              onApplied(a);
            }}
            onClose={close}
          />
        )}
      </div>
    </div>
  );
};
