import type { KioskMethod } from '../../shared/api.ts';
import { CHANNEL_METHODS, KIOSK_CHANNELS, type KioskChannel } from './channels.ts';

/** What the page sees as `window.kioskBridge`: one async function per KioskApi method, nothing else. */
export type KioskBridge = { readonly [M in KioskMethod]: (input: unknown) => Promise<unknown> };

/** ipcRenderer.invoke, narrowed to our channels. */
export type Invoke = (channel: KioskChannel, input: unknown) => Promise<unknown>;

/**
 * Builds the bridge the preload exposes. Each method forwards exactly one argument (the input object)
 * to its own channel and resolves to the result envelope `{ok, value} | {ok, error}` that the main
 * process produced. There is no generic invoke/send/on: the page cannot name a channel, and the IPC
 * event object never crosses into the page (only the envelope does).
 */
export const createKioskBridge = (invoke: Invoke): KioskBridge => {
  const bridge: Partial<Record<KioskMethod, (input: unknown) => Promise<unknown>>> = {};
  for (const method of CHANNEL_METHODS) {
    const channel = KIOSK_CHANNELS[method];
    // A named function per method (`fn.name === method`), so stack traces in the renderer say which call failed.
    const call = { [method]: async (input: unknown): Promise<unknown> => invoke(channel, input ?? {}) }[method]!;
    bridge[method] = call;
  }
  return Object.freeze(bridge) as KioskBridge;
};
