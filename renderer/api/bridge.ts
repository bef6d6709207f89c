import type { KioskMethod, Transport } from '../../shared/api.ts';

/** What the Electron preload exposes: one async function per KioskApi method, returning the envelope. */
export type KioskBridge = { readonly [M in KioskMethod]?: (input: unknown) => Promise<unknown> };

declare global {
  interface Window {
    kioskBridge?: KioskBridge;
  }
}

export const bridgeTransport =
  (bridge: KioskBridge): Transport =>
  async (method, input) => {
    const fn = bridge[method];
    if (typeof fn !== 'function') throw new Error(`the preload does not expose ${method}`);
    return fn(input);
  };
