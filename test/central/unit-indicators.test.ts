import { expect, test } from 'vitest';
import { z } from 'zod';
import { runCommand } from '../../central/cli/commands.ts';
import { listAudit } from '../../central/console/audit.ts';
import { ensureUnit } from '../../central/ops/units.ts';
import { saveReportSettings } from '../../central/reports/settings-store.ts';
import {
  UnitIndicatorError,
  quarterOf,
  readUnitIndicators,
  setUnitIndicator,
} from '../../central/reports/unit-indicators.ts';
import { DEFAULT_REPORT_SETTINGS } from '../../shared/reports/settings.ts';
import type { TestCentral } from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const ctl = async (central: TestCentral, args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, {
    db: central.db,
    centralKey: () => central.centralKey,
    cwd: process.cwd(),
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    now: () => new Date('2026-08-10T03:00:00Z'),
  });
  return { code, stdout, stderr };
};

const Q3 = { year: 2026, quarter: 3 };
const T1 = new Date('2026-08-01T02:00:00Z');
const T2 = new Date('2026-09-15T02:00:00Z');

const Listing = z.object({
  unit: z.string(),
  quarter: z.string(),
  entries: z.array(
    z.object({
      indicator: z.number(),
      self: z.object({ points: z.number(), by: z.string(), at: z.string() }).nullable(),
      verified: z.object({ points: z.number(), by: z.string(), at: z.string() }).nullable(),
      note: z.string().nullable(),
    }),
  ),
});

test('the quarter of a moment is taken in Asia/Ho_Chi_Minh (UTC+7)', () => {
  expect(quarterOf(new Date('2026-09-30T16:59:59Z'))).toEqual({ year: 2026, quarter: 3 });
  expect(quarterOf(new Date('2026-09-30T17:00:00Z'))).toEqual({ year: 2026, quarter: 4 });
  expect(quarterOf(new Date('2026-12-31T17:00:00Z'))).toEqual({ year: 2027, quarter: 1 });
});

forEachBackend('unit-level indicators', (backend) => {
  const central = sharedCentral(backend);
  const db = () => central().db;

  test('self-assessed and verified points are kept apart, each with who and when; read back per unit and quarter', async () => {
    await ensureUnit(db(), { id: 'ui-xa', name: 'Xã UI', kind: 'commune' });
    expect(await readUnitIndicators(db(), 'ui-xa', Q3)).toEqual(
      [5, 8, 9].map((indicator) => ({
        indicator,
        self: null,
        verified: null,
        note: null,
      })),
    );
    await setUnitIndicator(db(), {
      unitId: 'ui-xa',
      quarter: Q3,
      indicator: 8,
      which: 'self',
      points: 2,
      note: 'đủ hồ sơ',
      by: 'xa-user',
      now: T1,
    });
    const after = await setUnitIndicator(db(), {
      unitId: 'ui-xa',
      quarter: Q3,
      indicator: 8,
      which: 'verified',
      points: 1,
      by: 'tinh-admin',
      now: T2,
    });
    expect(after).toEqual({
      indicator: 8,
      self: { points: 2, by: 'xa-user', at: T1 },
      verified: { points: 1, by: 'tinh-admin', at: T2 },
      note: 'đủ hồ sơ', // a verification without a note leaves the note alone
    });
    // Another quarter, another unit: separate.
    expect((await readUnitIndicators(db(), 'ui-xa', { year: 2026, quarter: 2 }))[1]?.self).toBeNull();
    // Entering self again replaces it and leaves the verification as it was.
    await setUnitIndicator(db(), {
      unitId: 'ui-xa',
      quarter: Q3,
      indicator: 8,
      which: 'self',
      points: 0,
      note: '',
      by: 'xa-user',
      now: T2,
    });
    const [, eight] = await readUnitIndicators(db(), 'ui-xa', Q3);
    expect(eight).toMatchObject({ self: { points: 0, at: T2 }, verified: { points: 1 }, note: null });
  });

  test('refusals: points other than 0..2, an indicator not entered per unit, an unknown unit, a note over 1000 characters', async () => {
    await ensureUnit(db(), { id: 'ui-ref', name: 'Xã R' });
    const base = { unitId: 'ui-ref', quarter: Q3, indicator: 5, which: 'self' as const, by: 'x', now: T1 };
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: unknown) => e,
      );
    for (const points of [3, -1, 1.5, Number.NaN])
      expect(await refusal(setUnitIndicator(db(), { ...base, points }))).toMatchObject({ code: 'bad_points' });
    expect(await refusal(setUnitIndicator(db(), { ...base, indicator: 3, points: 1 }))).toMatchObject({
      code: 'unknown_indicator',
      message: 'indicator 3 is not entered per unit (the report settings list 5, 8, 9)',
    });
    const ghost = await refusal(setUnitIndicator(db(), { ...base, unitId: 'ghost', points: 1 }));
    expect(ghost).toBeInstanceOf(UnitIndicatorError);
    expect(ghost).toMatchObject({ code: 'unknown_unit' });
    expect(await refusal(setUnitIndicator(db(), { ...base, points: 1, note: 'x'.repeat(1001) }))).toMatchObject({
      code: 'note_too_long',
    });
    expect((await readUnitIndicators(db(), 'ui-ref', Q3)).every((e) => e.self === null)).toBe(true);
  });

  test('the settings decide which indicators are entered; entries for one dropped later stay visible', async () => {
    await ensureUnit(db(), { id: 'ui-set', name: 'Xã S' });
    await setUnitIndicator(db(), {
      unitId: 'ui-set',
      quarter: Q3,
      indicator: 9,
      which: 'self',
      points: 1,
      by: 'x',
      now: T1,
    });
    await saveReportSettings(db(), { unitLevelIndicators: [5, 6, 8] }, 'test', T1);
    try {
      await setUnitIndicator(db(), {
        unitId: 'ui-set',
        quarter: Q3,
        indicator: 6,
        which: 'self',
        points: 2,
        by: 'x',
        now: T1,
      });
      expect((await readUnitIndicators(db(), 'ui-set', Q3)).map((e) => [e.indicator, e.self?.points ?? null])).toEqual([
        [5, null],
        [6, 2],
        [8, null],
        [9, 1],
      ]);
    } finally {
      await saveReportSettings(db(), DEFAULT_REPORT_SETTINGS, 'test', T1);
    }
  });

  test('centralctl unit-indicator-set and unit-indicators; bad input is a usage error or a clear refusal', async () => {
    await ensureUnit(db(), { id: 'ui-ctl', name: 'Xã C' });
    const set = await ctl(central(), [
      'unit-indicator-set',
      '--unit',
      'ui-ctl',
      '--quarter',
      '2026-Q3',
      '--indicator',
      '8',
      '--self',
      '2',
      '--note',
      'ghi chú',
    ]);
    expect(set).toMatchObject({ code: 0, stdout: 'unit "ui-ctl" 2026-Q3 indicator 8: self 2, verified -\n' });
    expect(
      (
        await ctl(central(), [
          'unit-indicator-set',
          '--unit',
          'ui-ctl',
          '--quarter',
          '2026-Q3',
          '--indicator',
          '8',
          '--verified',
          '1',
        ])
      ).code,
    ).toBe(0);
    const listed = Listing.parse(
      JSON.parse(
        (await ctl(central(), ['unit-indicators', '--unit', 'ui-ctl', '--quarter', '2026-Q3', '--json'])).stdout,
      ),
    );
    expect(listed.entries.find((e) => e.indicator === 8)).toEqual({
      indicator: 8,
      self: { points: 2, by: 'centralctl', at: '2026-08-10T03:00:00.000Z' },
      verified: { points: 1, by: 'centralctl', at: '2026-08-10T03:00:00.000Z' },
      note: 'ghi chú',
    });
    const text = await ctl(central(), ['unit-indicators', '--unit', 'ui-ctl', '--quarter', '2026-Q3']);
    expect(text.stdout).toContain('indicator 8: self 2 (centralctl, 2026-08-10T03:00:00.000Z)  verified 1 (centralctl');
    const usage = [
      ['unit-indicator-set', '--unit', 'ui-ctl', '--quarter', '2026-Q3', '--indicator', '8', '--self', '3'],
      ['unit-indicator-set', '--unit', 'ui-ctl', '--quarter', '2026-Q3', '--indicator', '8', '--self', 'a'],
      [
        'unit-indicator-set',
        '--unit',
        'ui-ctl',
        '--quarter',
        '2026-Q3',
        '--indicator',
        '8',
        '--self',
        '1',
        '--verified',
        '1',
      ],
      ['unit-indicator-set', '--unit', 'ui-ctl', '--quarter', '2026-Q3', '--indicator', '8'],
      ['unit-indicator-set', '--unit', 'ui-ctl', '--quarter', '2026-13', '--indicator', '8', '--self', '1'],
      ['unit-indicator-set', '--unit', 'ui-ctl', '--quarter', '2026-Q3', '--indicator', 'x', '--self', '1'],
      ['unit-indicators', '--quarter', '2026-Q3'],
      ['unit-indicators', '--unit', 'ui-ctl', '--quarter', 'Q3'],
    ];
    for (const args of usage) expect((await ctl(central(), args)).code, args.join(' ')).toBe(2);
    const ghost = await ctl(central(), [
      'unit-indicator-set',
      '--unit',
      'ghost',
      '--quarter',
      '2026-Q3',
      '--indicator',
      '8',
      '--self',
      '1',
    ]);
    expect(ghost).toMatchObject({ code: 1, stderr: 'centralctl unit-indicator-set: unknown unit "ghost"\n' });
    expect((await ctl(central(), ['unit-indicators', '--unit', 'ghost', '--quarter', '2026-Q3'])).stderr).toContain(
      'unknown unit "ghost"',
    );
    const notPerUnit = await ctl(central(), [
      'unit-indicator-set',
      '--unit',
      'ui-ctl',
      '--quarter',
      '2026-Q3',
      '--indicator',
      '3',
      '--self',
      '1',
    ]);
    expect(notPerUnit).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('indicator 3 is not entered per unit'),
    });
  });

  test('console: a unit viewer enters self-assessed points for their unit and the units under it, never verified points nor another unit', async () => {
    await ensureUnit(db(), { id: 'cv-tinh', name: 'Tỉnh CV', kind: 'province' });
    await ensureUnit(db(), { id: 'cv-xa', name: 'Xã CV', parentId: 'cv-tinh', kind: 'commune' });
    await ensureUnit(db(), { id: 'cv-thon', name: 'Điểm CV', parentId: 'cv-xa', kind: 'unit' });
    await ensureUnit(db(), { id: 'cv-khac', name: 'Xã khác', parentId: 'cv-tinh', kind: 'commune' });
    await makeAccount(db(), 'cv-viewer', 'unit_viewer', 'cv-xa');
    const c = new ConsoleClient(central().url);
    await c.login('cv-viewer');
    const page = await c.get('/indicators?unit=cv-xa&quarter=2026-Q3');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="form-self-8"');
    expect(page.text).not.toContain('data-testid="form-verified-8"');
    expect(page.text).toContain('value="cv-thon"');
    expect(page.text).not.toContain('value="cv-khac"');
    expect(page.text).not.toContain('value="cv-tinh"');

    const entry = { unit: 'cv-thon', quarter: '2026-Q3', indicator: '8', which: 'self', points: '2', note: 'tự chấm' };
    const saved = await c.post('/indicators', entry);
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('data-testid="indicator-ok"');
    expect((await readUnitIndicators(db(), 'cv-thon', Q3))[1]).toMatchObject({
      self: { points: 2, by: 'cv-viewer' },
      note: 'tự chấm',
    });
    expect((await listAudit(db(), { action: 'unit_indicator_set' }))[0]).toMatchObject({
      username: 'cv-viewer',
      detail: { unit: 'cv-thon', quarter: '2026-Q3', indicator: 8, which: 'self', points: 2 },
    });

    // Refusals: a clear message, never a 500, nothing stored.
    const verify = await c.post('/indicators', { ...entry, which: 'verified' });
    expect(verify.status).toBe(403);
    expect(verify.text).toContain('Chỉ quản trị cấp tỉnh được nhập điểm thẩm định.');
    for (const [field, value, message] of [
      ['points', '3', 'Điểm phải là 0, 1 hoặc 2.'],
      ['points', 'hai', 'Điểm phải là 0, 1 hoặc 2.'],
      ['points', '', 'Điểm phải là 0, 1 hoặc 2.'],
      ['quarter', '2026-Q5', 'Quý phải viết dạng NNNN-Qn'],
      ['indicator', '3', 'Chỉ số này không được nhập theo đơn vị'],
      ['indicator', 'abc', 'Chỉ số này không được nhập theo đơn vị'],
      ['note', 'x'.repeat(1001), 'Ghi chú tối đa 1000 ký tự.'],
      ['which', 'both', 'Loại điểm không hợp lệ.'],
    ] as const) {
      const r = await c.post('/indicators', { ...entry, points: '1', [field]: value });
      expect(r.status, `${field}=${value}`).toBe(400);
      expect(r.text, `${field}=${value}`).toContain(message);
    }
    for (const unit of ['cv-khac', 'cv-tinh', 'ghost', '']) {
      const r = await c.post('/indicators', { ...entry, unit, points: '0' });
      expect(r.status, unit).toBe(404);
      expect(r.text).toContain('Không có đơn vị này, hoặc tài khoản của bạn không được xem đơn vị này.');
      expect((await c.get(`/indicators?unit=${unit || 'x'}&quarter=2026-Q3`)).status).toBe(404);
    }
    expect((await c.get('/indicators?unit=cv-xa&quarter=2026-Q9')).status).toBe(400);
    expect((await readUnitIndicators(db(), 'cv-thon', Q3))[1]?.self?.points).toBe(2);
    expect((await readUnitIndicators(db(), 'cv-khac', Q3)).every((e) => e.self === null)).toBe(true);
    // Without the CSRF token nothing is stored.
    expect((await c.post('/indicators', { ...entry, points: '0' }, { csrf: null })).status).toBe(403);
    expect((await readUnitIndicators(db(), 'cv-thon', Q3))[1]?.self?.points).toBe(2);
  });

  test('console: a province admin sees every unit and enters verified points; the table shows who and when', async () => {
    await ensureUnit(db(), { id: 'pa-xa', name: 'Xã PA', kind: 'commune' });
    await makeAccount(db(), 'pa-admin', 'province_admin');
    const c = new ConsoleClient(central().url);
    await c.login('pa-admin');
    expect((await c.get('/indicators')).status).toBe(200);
    const saved = await c.post('/indicators', {
      unit: 'pa-xa',
      quarter: '2026-Q3',
      indicator: '9',
      which: 'verified',
      points: '1',
      note: '',
    });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('data-testid="form-verified-9"');
    const row = /data-indicator="9">([\s\S]*?)<\/tr>/.exec(saved.text)?.[1] ?? '';
    expect(row).toMatch(
      /data-testid="verified"><strong data-testid="points">1<\/strong><br><span class="hint">pa-admin, /,
    );
    expect((await readUnitIndicators(db(), 'pa-xa', Q3))[2]).toMatchObject({ verified: { points: 1, by: 'pa-admin' } });
  });
});
