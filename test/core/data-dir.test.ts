// The data directory holds citizens' answers and the device's private key: private whatever the
// umask, and a directory other accounts can write to is refused (issue 14.2).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirError } from '../../electron/core/db/private-files.ts';
import { databasePath, openKioskCore } from '../../electron/core/kiosk-core.ts';
import { REPO_ROOT, kioskctl, silentLog } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
const scratch = () => {
  const t = tempDir('kiosk-perm-');
  cleanups.push(t.cleanup);
  return t.dir;
};
const mode = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(process.platform === 'win32')('kiosk data directory permissions', { timeout: 120_000 }, () => {
  it('under umask 0, makes the data directory 0700 and the database, its WAL and SHM, and the key file 0600', () => {
    const dataDir = join(scratch(), 'new', 'kiosk');
    const child = join(REPO_ROOT, 'test/core/data-dir-child.ts');
    const r = spawnSync('sh', ['-c', 'umask 0 && exec "$0" --import tsx "$1" "$2"', process.execPath, child, dataDir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const { umask, modes } = JSON.parse(r.stdout) as { umask: string; modes: Record<string, string> };
    expect(umask).toBe('0');
    expect(modes).toMatchObject({
      '.': '700',
      'kiosk.sqlite': '600',
      'kiosk.sqlite-wal': '600',
      'kiosk.sqlite-shm': '600',
      'device-key.json': '600',
    });
    expect(mode(join(dataDir, '..'))).toBe(0o700);
  });

  it('narrows a data directory and database an older kiosk left readable by others', () => {
    const dataDir = scratch();
    openKioskCore({ dataDir, log: silentLog }).close();
    chmodSync(dataDir, 0o755);
    chmodSync(databasePath(dataDir), 0o644);
    writeFileSync(`${databasePath(dataDir)}-wal`, '');
    chmodSync(`${databasePath(dataDir)}-wal`, 0o644);
    openKioskCore({ dataDir, log: silentLog }).close();
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(databasePath(dataDir))).toBe(0o600);
  });

  it('refuses to start, or to run kioskctl, on a data directory other accounts can write to', () => {
    for (const loose of [0o777, 0o770, 0o702]) {
      const dataDir = join(scratch(), 'kiosk');
      mkdirSync(dataDir);
      openKioskCore({ dataDir, log: silentLog }).close();
      chmodSync(dataDir, loose);
      expect(() => openKioskCore({ dataDir, log: silentLog })).toThrow(DataDirError);
      expect(() => openKioskCore({ dataDir, log: silentLog })).toThrow(
        new RegExp(`other accounts can write to it \\(mode ${loose.toString(8)}\\); make it private with: chmod 700`),
      );
      expect(mode(dataDir)).toBe(loose);
    }
    const dataDir = join(scratch(), 'kiosk');
    mkdirSync(dataDir);
    openKioskCore({ dataDir, log: silentLog }).close();
    chmodSync(dataDir, 0o777);
    const r = kioskctl(dataDir, 'status');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to use the data directory .*other accounts can write to it \(mode 777\)/);
  });
});
