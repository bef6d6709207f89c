import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decide, missingModules, probeMachine, type Machine } from '../../scripts/test-prerequisites.mjs';
import { tempDir } from '../support/tmp.ts';

const complete: Machine = {
  isRoot: true,
  hasAptGet: true,
  hasChromium: true,
  hasNotoSans: true,
  hasPostgres: true,
  hasEspeak: true,
  missingModules: [],
  sqliteLoads: true,
};

describe('test prerequisites: what is missing decides what npm test does first', () => {
  it('goes ahead when everything is there', () => {
    expect(decide(complete)).toEqual({ action: 'ready' });
  });

  it('installs exactly the missing Debian packages when it runs as root with apt-get', () => {
    expect(decide({ ...complete, hasChromium: false, hasPostgres: false })).toEqual({
      action: 'install',
      packages: ['chromium', 'postgresql'],
    });
    expect(decide({ ...complete, hasNotoSans: false })).toEqual({ action: 'install', packages: ['fonts-noto-core'] });
    // The read-aloud clips the build makes for the e2e suite (issue 15).
    expect(decide({ ...complete, hasEspeak: false })).toEqual({ action: 'install', packages: ['espeak-ng'] });
  });

  it('stops with the sudo apt-get line when it is not root', () => {
    expect(decide({ ...complete, isRoot: false, hasChromium: false, hasNotoSans: false })).toEqual({
      action: 'stop',
      line: 'test: needs Chromium for Playwright, the Noto Sans font; run: sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-core',
    });
  });

  it('stops naming the Debian packages and the overrides where there is no apt-get', () => {
    const d = decide({ ...complete, hasAptGet: false, hasPostgres: false });
    expect(d).toEqual({
      action: 'stop',
      line: "test: needs PostgreSQL's initdb and pg_ctl (Debian: postgresql); install them, or set CHROMIUM_PATH / PG_BIN, then npm test",
    });
  });

  it('asks for npm ci before anything else when node_modules lacks a declared package, even as root', () => {
    const d = decide({ ...complete, hasChromium: false, missingModules: ['prettier'] });
    expect(d).toEqual({ action: 'stop', line: 'test: node_modules lacks prettier; run: npm ci' });
    const many = decide({ ...complete, missingModules: ['a', 'b', 'c', 'd'] });
    expect(many).toEqual({ action: 'stop', line: 'test: node_modules lacks a, b, c, …; run: npm ci' });
  });

  it('stops when better-sqlite3 was installed but its native module does not load', () => {
    expect(decide({ ...complete, hasPostgres: false, sqliteLoads: false })).toEqual({
      action: 'stop',
      line: "test: better-sqlite3's native module does not load; run: npm rebuild better-sqlite3",
    });
  });
});

describe('test prerequisites: probing the machine', () => {
  const dirs: (() => void)[] = [];
  afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));
  const tmp = (): string => {
    const t = tempDir('prereq-');
    dirs.push(t.cleanup);
    return t.dir;
  };

  it('finds declared packages missing from node_modules', () => {
    const root = tmp();
    const pkg = { dependencies: { zod: '^4' }, devDependencies: { prettier: '3.10.1', vitest: '^4' } };
    writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
    mkdirSync(join(root, 'node_modules', 'zod'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'zod', 'package.json'), '{}');
    mkdirSync(join(root, 'node_modules', 'vitest'), { recursive: true }); // a half-written install
    expect(missingModules(root)).toEqual(['prettier', 'vitest']);
  });

  it('takes Chromium and PostgreSQL from CHROMIUM_PATH and PG_BIN when they are set', () => {
    const root = tmp();
    writeFileSync(join(root, 'package.json'), '{}');
    const bin = tmp();
    writeFileSync(join(bin, 'initdb'), '#!/bin/sh\n');
    chmodSync(join(bin, 'initdb'), 0o755);
    const present = probeMachine(root, { CHROMIUM_PATH: join(bin, 'initdb'), PG_BIN: bin });
    expect([present.hasChromium, present.hasPostgres]).toEqual([true, true]);
    const absent = probeMachine(root, { CHROMIUM_PATH: join(bin, 'no-such-chromium'), PG_BIN: join(bin, 'none') });
    expect([absent.hasChromium, absent.hasPostgres]).toEqual([false, false]);
  });
});
