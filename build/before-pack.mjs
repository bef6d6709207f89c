// electron-builder beforePack hook: rebuilds dist/node_modules/better-sqlite3 for the Electron, platform
// and arch being packaged, just before electron-builder copies dist/ into the app. Any failure throws and
// fails the build; build/after-pack.mjs then reads the ABI out of what was packaged.
//
// Why here and not electron-builder's own rebuild (npmRebuild)? That runs @electron/rebuild with the
// repository as the project root, and @electron/rebuild then also rebuilds the repository's own
// node_modules/better-sqlite3 for Electron, which breaks every Node test until `npm rebuild` (seen when
// this was set up). Here the rebuild is confined to dist/ (projectRootPath = dist).
//
// An npmrc `nodedir` (set on some build machines) makes node-gyp compile against that Node's headers
// instead of Electron's, silently; it is dropped so Electron's headers are used. Prebuilt binaries are
// used when better-sqlite3 publishes one for this Electron, platform and arch (so a Windows package can
// be built on Linux); otherwise the module is compiled, which needs a compiler for the target.
//
// KIOSK_PACKAGE_VERIFY_ONLY=1 skips the rebuild: build/verify-package.mjs only (stub Electron).
import console from 'node:console';
import { join } from 'node:path';
import process from 'node:process';
import { APP_DIR, electronVersion } from './electron-native.mjs';

const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

export async function beforePack(context) {
  if (process.env.KIOSK_PACKAGE_VERIFY_ONLY === '1') {
    console.log('  • before-pack: native rebuild skipped (KIOSK_PACKAGE_VERIFY_ONLY=1; verification build only)');
    return;
  }
  for (const key of Object.keys(process.env)) {
    if (/^npm_config_nodedir$/i.test(key) || key === 'NODEDIR') {
      console.log(
        `  • before-pack: ignoring ${key}=${process.env[key]} so better-sqlite3 builds against Electron's headers`,
      );
      delete process.env[key];
    }
  }
  const platform = context.electronPlatformName;
  const arch = typeof context.arch === 'number' ? ARCH_NAMES[context.arch] : String(context.arch);
  const version = context.packager?.config?.electronVersion ?? electronVersion();
  console.log(
    `  • before-pack: @electron/rebuild better-sqlite3 for Electron ${version} ${platform}-${arch} in ${join(APP_DIR, 'node_modules')}`,
  );
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({
    buildPath: APP_DIR,
    projectRootPath: APP_DIR,
    electronVersion: version,
    platform,
    arch,
    onlyModules: ['better-sqlite3'],
    force: true,
    mode: 'sequential',
  });
}

export default beforePack;
