// electron-builder afterPack hook: refuses a package whose better-sqlite3 was not built for the
// Electron it ships with. A failed or mis-targeted rebuild therefore fails the build instead of
// producing a kiosk that cannot open its database.
// KIOSK_PACKAGE_VERIFY_ONLY=1 is for build/verify-package.mjs only (stub Electron, no rebuild possible).
import console from 'node:console';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { electronAbi, moduleAbiOf } from './native-abi.mjs';

export async function afterPack(context) {
  if (process.env.KIOSK_PACKAGE_VERIFY_ONLY === '1') {
    console.log('  • after-pack: native ABI check skipped (KIOSK_PACKAGE_VERIFY_ONLY=1; verification build only)');
    return;
  }
  const resources =
    context.electronPlatformName === 'darwin'
      ? join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
      : join(context.appOutDir, 'resources');
  const file = join(
    resources,
    'app.asar.unpacked',
    'node_modules',
    'better-sqlite3',
    'build',
    'Release',
    'better_sqlite3.node',
  );
  if (!existsSync(file)) throw new Error(`after-pack: ${file} is missing: better-sqlite3 was not built`);
  const want = electronAbi(resolve(import.meta.dirname, '..'));
  const got = moduleAbiOf(file);
  if (got !== want) {
    throw new Error(
      `after-pack: better_sqlite3.node is built for ABI ${got ?? 'unknown'}, but Electron needs ABI ${want}. ` +
        'The native rebuild did not target Electron (no network access to Electron\'s headers, or an npmrc "nodedir"); the package would not start.',
    );
  }
  console.log(`  • after-pack: better_sqlite3.node built for Electron ABI ${got}`);
}

export default afterPack;
