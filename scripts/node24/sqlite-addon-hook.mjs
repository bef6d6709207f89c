// Preloaded (--import) into every Node 24 process of `npm run test:node24`: better-sqlite3 is a native
// module built against Node 20's ABI in the shared node_modules, so its addon is swapped for the copy
// scripts/node24/prepare.ts built against Node 24's headers. Only the .node file changes; the package's
// JavaScript is the one in node_modules. module.registerHooks covers require() too (Node >= 22.15).
import { registerHooks } from 'node:module';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const addon = process.env.NODE24_SQLITE_ADDON;
if (addon) {
  const target = pathToFileURL(addon).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      return resolved.url.endsWith('/better-sqlite3/build/Release/better_sqlite3.node')
        ? { ...resolved, url: target }
        : resolved;
    },
  });
}
