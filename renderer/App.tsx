import { useState } from 'react';
import { connectKiosk } from './api/client.ts';
import { ApiContext } from './api/context.ts';
import { Kiosk } from './Kiosk.tsx';
import { Notice } from './screens/Notice.tsx';
import { PrefsProvider } from './state/prefs.tsx';
import { StaffDisplay, isStaffDisplayView } from './StaffDisplay.tsx';

/** Connects to the kiosk core (preload bridge or loopback host) and provides it to every screen: the kiosk, or the staff window's view. */
export const App = () => {
  const [setup] = useState(connectKiosk);
  // Read once: the staff window (Electron shell, staff-window.ts) loads the same page with ?view=staff-display.
  const [staffView] = useState(() => isStaffDisplayView());
  return (
    <PrefsProvider>
      {setup.ok ? (
        <ApiContext.Provider value={setup.api}>{staffView ? <StaffDisplay /> : <Kiosk />}</ApiContext.Provider>
      ) : (
        <Notice kind="noToken" />
      )}
    </PrefsProvider>
  );
};
