import { useState } from 'react';
import { connectKiosk } from './api/client.ts';
import { ApiContext } from './api/context.ts';
import { Kiosk } from './Kiosk.tsx';
import { Notice } from './screens/Notice.tsx';
import { PrefsProvider } from './state/prefs.tsx';

/** Connects to the kiosk core (preload bridge or loopback host) and provides it to every screen. */
export const App = () => {
  const [setup] = useState(connectKiosk);
  return (
    <PrefsProvider>
      {setup.ok ? (
        <ApiContext.Provider value={setup.api}>
          <Kiosk />
        </ApiContext.Provider>
      ) : (
        <Notice kind="noToken" />
      )}
    </PrefsProvider>
  );
};
