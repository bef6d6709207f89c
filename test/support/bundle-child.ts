/**
 * Bundles a child-process script into one .mjs with esbuild, so that a spawn is a plain
 * `node file.mjs` (a few hundred ms, and no tsx loader in its memory) instead of a tsx start
 * (seconds): the fault suites spawn kiosks many times, the bench measures a kiosk's peak memory.
 * better-sqlite3 (native) stays external, resolved to its absolute path; `import.meta.url` and
 * `import.meta.dirname` are replaced, file by file, with the source file's own, so code that finds
 * files next to itself (the embedded configuration, package.json) behaves as in the source tree.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from './kiosk.ts';

export const bundleChild = async (entry: string, outfile: string): Promise<string> => {
  const sqlite = createRequire(join(REPO_ROOT, 'package.json')).resolve('better-sqlite3');
  await esbuild.build({
    entryPoints: [join(REPO_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: [
      {
        name: 'native-external',
        setup: (build) => {
          build.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
        },
      },
      {
        name: 'own-import-meta',
        setup: (build) => {
          build.onLoad({ filter: /\.ts$/ }, async (args) => {
            const source = await readFile(args.path, 'utf8');
            const contents = source
              .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
              .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)));
            return { contents, loader: 'ts' };
          });
        },
      },
    ],
  });
  return outfile;
};
