import { readFileSync } from 'node:fs';
import { transform } from 'esbuild';

/**
 * The console's static files, read and compiled once per process: the stylesheet as it is, the
 * script from TypeScript (client/console.ts) to plain ES2022 with esbuild, which tsx already brings.
 */
export type ConsoleAssets = { css: string; js: string };

let assets: Promise<ConsoleAssets> | undefined;

export const consoleAssets = (): Promise<ConsoleAssets> =>
  (assets ??= (async () => {
    const css = readFileSync(new URL('./assets/console.css', import.meta.url), 'utf8');
    const source = readFileSync(new URL('./client/console.ts', import.meta.url), 'utf8');
    const { code } = await transform(source, {
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
      sourcefile: 'console.ts',
    });
    return { css, js: code };
  })());
