// Types for build/electron-native.mjs (imported by test/e2e-electron).
export declare const ROOT: string;
export declare const APP_DIR: string;
export declare const locateElectron: () => { ok: true; path: string } | { ok: false; reason: string };
export declare const electronVersion: () => string;
export declare const rebuildNativeForElectron: (options?: { force?: boolean }) => Promise<void>;
