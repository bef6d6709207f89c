import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCentral } from '../../central/index.ts';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { setOfficePins } from '../support/pins.ts';
import { enrol } from '../../electron/core/sync/enrolment.ts';
import { ackedRanges } from '../../electron/core/sync/sync-store.ts';
import { listResponses } from '../../electron/core/store/responses.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { tempDir } from '../support/tmp.ts';
import { centralResponses, startTestCentral } from './support/kiosk.ts';

let central: RunningCentral;
beforeAll(async () => {
  central = await startTestCentral();
});
afterAll(async () => {
  await central?.close();
});

const child = (
  dataDir: string,
  args: string[],
  env: Record<string, string>,
): {
  proc: ChildProcess;
  lines: string[];
  wait: (pred: (l: string[]) => boolean) => Promise<void>;
  exited: Promise<number | null>;
} => {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', resolve('test/sync/support/kiosk-child.ts'), dataDir, ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const wait = async (pred: (l: string[]) => boolean) => {
    const end = Date.now() + 60_000;
    while (!pred(lines)) {
      if (Date.now() > end) throw new Error(`child did not get there; output: ${lines.slice(-5).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { proc, lines, wait, exited };
};

describe('a kiosk process killed while syncing', () => {
  it('loses nothing and sends nothing twice: SIGKILL mid-drain, restart, drain', async () => {
    const t = tempDir('kiosk-crash-');
    try {
      const core = openKioskCore({ dataDir: t.dir, log: () => {} });
      setOfficePins(core.db);
      const r = await enrol({
        db: core.db,
        dataDir: t.dir,
        centralUrl: central.url,
        code: await central.enrolmentCode(),
      });
      expect(r.ok).toBe(true);
      core.close();
      const env = {
        KIOSK_SYNC_POLL_MS: '5',
        KIOSK_SYNC_BASE_MS: '10',
        KIOSK_SYNC_CAP_MS: '200',
        KIOSK_SYNC_MAX_BATCH: '7',
      };
      // Record while syncing in small batches, and kill the process without warning part-way.
      const first = child(t.dir, ['--record', '2000', '--every', '2'], env);
      await first.wait((l) => l.some((x) => x.startsWith('ready')));
      const deviceId = first.lines.find((l) => l.startsWith('ready'))!.split(' ')[1]!;
      // Kill once central holds part of what was recorded: the engine is mid-drain.
      const end = Date.now() + 60_000;
      while ((await centralResponses(central, deviceId)).length < 60 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20));
      first.proc.kill('SIGKILL');
      await first.exited;
      const recordedBeforeKill = first.lines.filter((x) => x.startsWith('recorded')).length;
      const atKill = (await centralResponses(central, deviceId)).length;
      expect(atKill).toBeGreaterThanOrEqual(60);
      expect(atKill).toBeLessThan(2000);
      // Restart: record some more, then drain.
      const second = child(t.dir, ['--record', '30', '--exit-when-drained'], env);
      await second.wait((l) => l.some((x) => x.startsWith('drained')));
      expect(await second.exited).toBe(0);

      const check = openKioskCore({ dataDir: t.dir, log: () => {} });
      const mine = listResponses(check.db, check.deviceId);
      const theirs = await centralResponses(central, check.deviceId);
      expect(mine.length).toBeGreaterThanOrEqual(recordedBeforeKill + 30);
      expect(mine.length).toBeLessThan(2000 + 30);
      expect(theirs.map((x) => x.id)).toEqual(mine.map((x) => x.id));
      expect(theirs.map((x) => canonicalJson(x.body))).toEqual(mine.map((x) => canonicalJson(x)));
      expect(ackedRanges(check.db)).toEqual([{ from: 1, to: mine.length }]);
      check.close();
    } finally {
      t.cleanup();
    }
  });
});
