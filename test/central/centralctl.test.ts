import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { runCommand } from '../../central/cli/commands.ts';
import { CSV_COLUMNS, DeviceReport } from '../../central/index.ts';
import { EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import { EnrolmentCode, PublishedConfig, Signed } from '../../shared/sync.ts';
import {
  type TestCentral,
  enrolRequest,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponses,
  postBatch,
  postJson,
  signedFetch,
} from '../support/central.ts';
import { tempDir } from '../support/tmp.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

type Run = { code: number; stdout: string; stderr: string };

const ctl = async (central: TestCentral, args: string[], cwd = process.cwd()): Promise<Run> => {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, {
    db: central.db,
    centralKey: () => central.centralKey,
    cwd,
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    now: () => new Date(),
  });
  return { code, stdout, stderr };
};

forEachBackend('centralctl commands', (backend) => {
  const central = sharedCentral(backend);

  test('enrol-code prints a one-time code a kiosk can enrol with; a new unit is created', async () => {
    const r = await ctl(central(), [
      'enrol-code',
      '--unit',
      'xa-hai-long',
      '--unit-name',
      'Xã Hải Long',
      '--hours',
      '1',
    ]);
    expect(r.code).toBe(0);
    const code = r.stdout.trim();
    expect(EnrolmentCode.safeParse(code).success).toBe(true);
    expect(r.stderr).toMatch(/created unit "xa-hai-long"/);
    const res = await postJson(`${central().url}/v1/enrol`, enrolRequest(makeDevice(), code));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ unit: { id: 'xa-hai-long', name: 'Xã Hải Long' } });
    const json = await ctl(central(), ['enrol-code', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ unit: 'default', code: expect.stringMatching(/^[A-Z0-9]{4}-/) });
  });

  test('usage errors exit 2', async () => {
    expect((await ctl(central(), ['enrol-code', '--hours', 'lots'])).code).toBe(2);
    expect((await ctl(central(), ['enrol-code', '--unit', 'Not A Slug'])).code).toBe(2);
    expect((await ctl(central(), ['export-responses', '--format', 'xml'])).code).toBe(2);
    expect((await ctl(central(), ['revoke'])).code).toBe(2);
    expect((await ctl(central(), ['devices', '--nope'])).code).toBe(2);
    expect((await ctl(central(), ['frobnicate'])).code).toBe(2);
  });

  test('devices --json reports responses, gap-free seq, gaps, duplicates, conflicts, heartbeat, revoked', async () => {
    const device = await enrolled(central());
    const all = makeResponses(device, 1, 12);
    await postBatch(central(), kbatchBytes(device, envelopeOf(device, all.slice(0, 5))));
    await postBatch(central(), kbatchBytes(device, envelopeOf(device, all.slice(0, 5)))); // 5 duplicates
    await postBatch(central(), kbatchBytes(device, envelopeOf(device, all.slice(9, 12)))); // a gap 6..9
    await postBatch(central(), kbatchBytes(device, envelopeOf(device, [{ ...all[0]!, durationMs: 9 }]))); // a conflict
    const hb = {
      deviceId: device.id,
      clock: new Date().toISOString(),
      appVersion: '0.1.0',
      configVersion: 'x',
      lastSeq: 12,
      lastAckedSeq: 5,
      queueDepth: 7,
      freeDiskBytes: null,
      procedureCode: null,
    };
    expect((await signedFetch(central(), device, 'POST', '/v1/heartbeat', hb)).status).toBe(200);
    const r = await ctl(central(), ['devices', '--json']);
    expect(r.code).toBe(0);
    const report = z
      .array(DeviceReport)
      .parse(JSON.parse(r.stdout))
      .find((d) => d.id === device.id);
    expect(report).toMatchObject({
      responses: 8,
      highestContiguousSeq: 5,
      highestSeq: 12,
      duplicates: 5,
      conflicts: 1,
      batches: 4,
      revoked: false,
      label: 'Quầy 1',
    });
    expect(report?.lastHeartbeatAt).not.toBeNull();
    expect(report?.lastHeartbeat).toMatchObject({ queueDepth: 7 });
    const text = await ctl(central(), ['devices']);
    expect(text.stdout).toContain(`${device.id}`);
    expect(text.stdout).toMatch(/gaps: holds up to 12/);
  });

  test('revoke refuses the device from then on; unrevoke lifts it; unknown devices exit 1', async () => {
    const device = await enrolled(central());
    expect(await ctl(central(), ['revoke', device.id])).toMatchObject({ code: 0, stdout: `revoked ${device.id}\n` });
    expect((await ctl(central(), ['revoke', device.id])).stdout).toMatch(/already revoked/);
    const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 2)));
    expect((await postBatch(central(), bytes)).status).toBe(403);
    const list = z.array(DeviceReport).parse(JSON.parse((await ctl(central(), ['devices', '--json'])).stdout));
    expect(list.find((d) => d.id === device.id)?.revoked).toBe(true);
    expect((await ctl(central(), ['unrevoke', device.id])).code).toBe(0);
    expect((await postBatch(central(), bytes)).status).toBe(200);
    expect((await ctl(central(), ['revoke', 'no-such-device'])).code).toBe(1);
  });

  test('names of Object.prototype are unknown commands: usage error, exit 2', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const r = await ctl(central(), [name]);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toContain(`unknown command "${name}"`);
    }
  });

  test('export-responses writes NDJSON and CSV (header row, answers as one JSON column)', async () => {
    const device = await enrolled(central());
    const responses = makeResponses(device, 1, 3).map((r, i) => ({
      ...r,
      // Valid answers to quick v1 (central sets anything else aside); overall 3..5 shows no follow-up.
      answers: { overall: i + 3, attitude: 4, time: 3, comment: 'ý kiến, "tốt"\nthêm' },
    }));
    await postBatch(central(), kbatchBytes(device, envelopeOf(device, responses)));
    const { dir, cleanup } = tempDir('central-export-');
    try {
      const nd = await ctl(central(), ['export-responses', '--format', 'ndjson', '--out', 'out.ndjson'], dir);
      expect(nd.code).toBe(0);
      const lines = readFileSync(join(dir, 'out.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const mine = lines.filter((l) => l['deviceId'] === device.id);
      expect(mine.map(({ unitId: _u, receivedAt: _r, ...rest }) => rest)).toEqual(responses);
      expect(mine[0]).toMatchObject({ unitId: 'default' });

      const csv = await ctl(central(), ['export-responses', '--format', 'csv', '--out', join(dir, 'out.csv')]);
      expect(csv.code).toBe(0);
      const text = readFileSync(join(dir, 'out.csv'), 'utf8');
      expect(text.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
      expect(text).toContain(`""comment"":""ý kiến, \\""tốt\\""\\nthêm""`);
      expect(text).toContain(`""overall"":3`);
      // Quick v1 answers: no answer sources, not a repeat case (the last two columns).
      expect(text.split('\r\n')[1]).toMatch(/,,false$/);
      const toStdout = await ctl(central(), ['export-responses', '--format', 'ndjson']);
      expect(toStdout.stdout.trim().split('\n').length).toBe(lines.length);
    } finally {
      cleanup();
    }
  });

  test('publish-config validates, publishes, and refuses a questionnaire changed without a version bump', async () => {
    const { dir, cleanup } = tempDir('central-publish-');
    try {
      cpSync(EMBEDDED_CONFIG_DIR, dir, { recursive: true });
      const unit = `pub-${Math.floor(Math.random() * 1e9)}`;
      const first = await ctl(central(), ['publish-config', dir, '--unit', unit]);
      expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^published /) });
      expect((await ctl(central(), ['publish-config', dir, '--unit', unit])).stdout).toMatch(/nothing to do/);

      const qFile = join(dir, 'questionnaires', 'quick.json');
      const q = JSON.parse(readFileSync(qFile, 'utf8')) as { version: number; title: Record<string, string> };
      writeFileSync(qFile, JSON.stringify({ ...q, title: { ...q.title, vi: `${q.title['vi']} (sửa)` } }));
      const refused = await ctl(central(), ['publish-config', dir, '--unit', unit]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/questionnaire "quick" version 1 changed without a new version number/);
      // Refused for every unit, since responses refer to (id, version) whatever their unit.
      expect((await ctl(central(), ['publish-config', dir, '--unit', `${unit}-b`])).code).toBe(1);

      writeFileSync(
        qFile,
        JSON.stringify({ ...q, version: q.version + 1, title: { ...q.title, vi: `${q.title['vi']} (sửa)` } }),
      );
      writeFileSync(join(dir, 'settings.json'), JSON.stringify({ officeName: 'UBND xã Hải Long' }));
      expect((await ctl(central(), ['publish-config', dir, '--unit', unit])).code).toBe(0);
      const device = await enrolled(central(), makeDevice(), unit);
      const res = await signedFetch(central(), device, 'GET', '/v1/config');
      const doc = Signed.parse(await res.json());
      const published = PublishedConfig.parse(JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')));
      expect(published.bundle.questionnaires.find((x) => x.id === 'quick')?.version).toBe(q.version + 1);
      expect(published.settings).toEqual({ officeName: 'UBND xã Hải Long' });

      writeFileSync(join(dir, 'catalog.json'), '{ "version": ');
      const broken = await ctl(central(), ['publish-config', dir, '--unit', unit]);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(/catalog\.json .*JSON syntax error/);
    } finally {
      cleanup();
    }
  });
});
