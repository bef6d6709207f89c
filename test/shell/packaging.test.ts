// electron-builder.yml through electron-builder's own loader and schema validation, and the layout
// scripts/build-main.mjs produces (the app directory electron-builder packages).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const require = createRequire(join(ROOT, 'package.json'));
type Config = Record<string, unknown> & {
  electronFuses?: Record<string, boolean>;
  directories?: Record<string, string>;
};
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig: (projectDir: string, configPath: string | null) => Promise<Config>;
  validateConfiguration: (config: Config, debugLogger: { isEnabled: boolean; add: () => void }) => Promise<void>;
};
const noDebug = { isEnabled: false, add: () => undefined };

const load = async (file: string): Promise<Config> => {
  const config = await getConfig(ROOT, join(ROOT, file));
  await validateConfiguration(config, noDebug);
  return config;
};

const PRODUCTION_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema validation", async () => {
    const c = await load('electron-builder.yml');
    expect(c).toMatchObject({
      appId: 'vn.hailong.kiosk',
      productName: 'HaiLong Kiosk',
      asar: true,
      beforePack: 'build/before-pack.mjs',
      afterPack: 'build/after-pack.mjs',
      directories: { app: 'dist' },
    });
  });

  it('flips the production fuses', async () => {
    expect((await load('electron-builder.yml')).electronFuses).toEqual(PRODUCTION_FUSES);
  });

  it('builds NSIS + portable for Windows and AppImage + deb for Linux', async () => {
    const c = (await load('electron-builder.yml')) as {
      win: { target: { target: string }[] };
      linux: { target: { target: string }[] };
    };
    expect(c.win.target.map((t) => t.target)).toEqual(['nsis', 'portable']);
    expect(c.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb']);
  });

  it('ships the default config as an extra resource where the shell and the core look for it', async () => {
    const c = (await load('electron-builder.yml')) as { extraResources: { from: string; to: string }[] };
    expect(c.extraResources).toContainEqual(expect.objectContaining({ from: 'assets/config', to: 'assets/config' }));
    expect(existsSync(join(ROOT, 'assets/config/catalog.json'))).toBe(true);
  });

  it('the test-build config differs only by the inspector fuse (for Playwright) and its output names', async () => {
    const t = await load('build/electron-builder.test.yml');
    expect(t.electronFuses).toEqual({ ...PRODUCTION_FUSES, enableNodeCliInspectArguments: true });
    expect(t.directories).toMatchObject({ app: 'dist', output: 'out/test-packages' });
    expect(t).toMatchObject({
      appId: 'vn.hailong.kiosk',
      asar: true,
      beforePack: 'build/before-pack.mjs',
      afterPack: 'build/after-pack.mjs',
    });
  });

  it('refuses a misspelt option (the validation is real)', async () => {
    await expect(validateConfiguration({ appId: 'x', electronFusez: {} }, noDebug)).rejects.toThrow(
      /electronFusez|additional/i,
    );
  });
});

describe('scripts/build-main.mjs', () => {
  beforeAll(() => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build-main.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build-main failed: ${r.stderr}`);
  }, 120_000);

  it('writes the app package.json electron and electron-builder use', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'dist/package.json'), 'utf8'));
    expect(pkg.main).toBe('main/main.mjs');
    expect(Object.keys(pkg.dependencies)).toEqual(['better-sqlite3']);
    expect(existsSync(join(ROOT, 'dist', pkg.main))).toBe(true);
    expect(existsSync(join(ROOT, 'dist/node_modules/better-sqlite3/package.json'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist/node_modules/bindings/package.json'))).toBe(true);
  });

  it('bundles a preload that requires nothing but electron, and no zod', () => {
    const preload = readFileSync(join(ROOT, 'dist/main/preload.cjs'), 'utf8');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/ZodType|zod/);
    expect(preload.length).toBeLessThan(8_000);
  });

  it('leaves only electron, better-sqlite3 and node builtins unbundled in main', () => {
    const main = readFileSync(join(ROOT, 'dist/main/main.mjs'), 'utf8');
    const imports = new Set(
      [...main.matchAll(/^import .* from "([^"]+)";?$/gm), ...main.matchAll(/__require\("([^"]+)"\)/g)].map(
        (m) => m[1]!,
      ),
    );
    const foreign = [...imports].filter(
      (m) =>
        !m.startsWith('node:') &&
        !['electron', 'better-sqlite3'].includes(m) &&
        !require('node:module').builtinModules.includes(m),
    );
    expect(foreign).toEqual([]);
    expect(main).not.toMatch(/from "fastify"|from "react"/);
  });

  it('keeps the embedded config two levels up from the bundle, as in the repository', () => {
    const main = readFileSync(join(ROOT, 'dist/main/main.mjs'), 'utf8');
    expect(main).toContain('new URL("../../assets/config", import.meta.url)');
    expect(existsSync(resolve(ROOT, 'dist/main', '../../assets/config/catalog.json'))).toBe(true);
  });
});
