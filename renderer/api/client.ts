import { type KioskApi, createKioskClient } from '../../shared/api.ts';
import { bridgeTransport } from './bridge.ts';
import { httpTransport } from './http.ts';
import { readToken } from './token.ts';

export type ClientSetup = { ok: true; api: KioskApi; via: 'bridge' | 'http' } | { ok: false; reason: 'no_token' };

/** Electron's preload bridge when present, else the loopback host; either way every result is validated. */
export const connectKiosk = (): ClientSetup => {
  const bridge = window.kioskBridge;
  if (bridge) return { ok: true, api: createKioskClient(bridgeTransport(bridge)), via: 'bridge' };
  const token = readToken();
  if (!token) return { ok: false, reason: 'no_token' };
  return { ok: true, api: createKioskClient(httpTransport(token)), via: 'http' };
};
