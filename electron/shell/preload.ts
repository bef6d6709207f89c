/**
 * Preload of the kiosk window. Runs sandboxed (sandbox: true, contextIsolation: true), so it is bundled
 * to one CommonJS file (dist/main/preload.cjs) and may require nothing but 'electron'.
 * It exposes `window.kioskBridge` and nothing else: one named async function per KioskApi method.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createKioskBridge } from './bridge.ts';
import { BRIDGE_GLOBAL } from './channels.ts';

// The invoke wrapper returns only the envelope; the IpcRendererEvent never reaches the page.
contextBridge.exposeInMainWorld(
  BRIDGE_GLOBAL,
  createKioskBridge((channel, input) => ipcRenderer.invoke(channel, input)),
);
