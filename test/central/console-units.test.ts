import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCommand } from '../../central/cli/commands.ts';
import { listAudit } from '../../central/console/audit.ts';
import { latestConfig, publishConfig } from '../../central/index.ts';
import { ensureUnit, getUnitNode } from '../../central/ops/units.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { loadReportSettings, saveReportSettings } from '../../central/reports/settings-store.ts';
import { DEFAULT_REPORT_SETTINGS, ReportSettings } from '../../shared/reports/settings.ts';
import type { TestCentral } from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { tempDir } from '../support/tmp.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const ctl = async (central: TestCentral, args: string[], cwd = process.cwd()) => {
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

forEachBackend('console units and report settings', (backend) => {
  const central = sharedCentral(backend);
  const db = () => central().db;

  const admin = async (): Promise<ConsoleClient> => {
    const username = `adm-${Math.floor(Math.random() * 1e9)}`;
    await makeAccount(db(), username, 'province_admin');
    const c = new ConsoleClient(central().url);
    await c.login(username);
    return c;
  };

  test('units page: add a unit under a parent, change it, toggle its public page; refusals are messages, not 500s', async () => {
    await ensureUnit(db(), { id: 'cu-tinh', name: 'Tỉnh CU', kind: 'province' });
    const c = await admin();
    expect((await c.get('/units')).text).toContain('data-unit="cu-tinh"');
    const added = await c.post('/units', { id: 'cu-xa', name: 'Xã CU', parent: 'cu-tinh', kind: 'commune' });
    expect(added.status).toBe(200);
    expect(added.text).toContain('data-unit="cu-xa" data-depth="1"');
    expect(await getUnitNode(db(), 'cu-xa')).toMatchObject({
      parentId: 'cu-tinh',
      kind: 'commune',
      publicReport: false,
    });

    const edited = await c.post('/units/cu-xa', {
      name: 'Phường CU',
      parent: 'cu-tinh',
      kind: 'commune',
      public: 'on',
    });
    expect(edited.status).toBe(200);
    expect(await getUnitNode(db(), 'cu-xa')).toMatchObject({ name: 'Phường CU', publicReport: true });
    expect((await listAudit(db(), { action: 'unit_changed' }))[0]?.detail).toMatchObject({
      unit: 'cu-xa',
      publicReport: true,
    });
    expect((await listAudit(db(), { action: 'unit_created' }))[0]?.detail).toMatchObject({
      unit: 'cu-xa',
      parent: 'cu-tinh',
    });

    const cycle = await c.post('/units/cu-tinh', { name: 'Tỉnh CU', parent: 'cu-xa', kind: 'province', public: 'off' });
    expect(cycle.status).toBe(400);
    expect(cycle.text).toContain('Không thể đặt đơn vị cấp trên là chính đơn vị này hoặc một đơn vị nằm dưới nó.');
    const refusals: [Record<string, string>, string][] = [
      [{ name: 'X', parent: 'ghost', kind: 'commune', public: 'off' }, 'Không có đơn vị cấp trên này.'],
      [{ name: 'X', parent: '', kind: 'village', public: 'off' }, 'Loại đơn vị không hợp lệ.'],
      [{ name: 'X', parent: '', kind: 'commune', public: 'yes' }, 'Trang công khai chỉ có thể bật hoặc tắt.'],
      [{ name: '', parent: '', kind: 'commune', public: 'off' }, 'Xin nhập tên đơn vị'],
    ];
    for (const [form, message] of refusals) {
      const r = await c.post('/units/cu-xa', form);
      expect(r.status, message).toBe(400);
      expect(r.text).toContain(message);
    }
    expect(await getUnitNode(db(), 'cu-xa')).toMatchObject({ name: 'Phường CU', parentId: 'cu-tinh', kind: 'commune' });
    expect((await c.post('/units/ghost', { name: 'X', parent: '', kind: 'commune', public: 'off' })).status).toBe(404);
    expect(
      (await c.post('/units/Not%20an%20id', { name: 'X', parent: '', kind: 'commune', public: 'off' })).status,
    ).toBe(404);

    const addRefusals: [Record<string, string>, string][] = [
      [{ id: 'cu-xa', name: 'Lại', parent: '', kind: 'commune' }, 'error-id'],
      [{ id: 'Có Dấu', name: 'X', parent: '', kind: 'commune' }, 'error-id'],
      [{ id: 'cu-moi', name: '', parent: '', kind: 'commune' }, 'error-name'],
      [{ id: 'cu-moi', name: 'X', parent: 'ghost', kind: 'commune' }, 'error-parent'],
      [{ id: 'cu-moi', name: 'X', parent: '', kind: 'hamlet' }, 'error-kind'],
    ];
    for (const [form, testId] of addRefusals) {
      const r = await c.post('/units', form);
      expect(r.status, testId).toBe(400);
      expect(r.text).toContain(`data-testid="${testId}"`);
    }
    expect(await getUnitNode(db(), 'cu-moi')).toBeUndefined();
  });

  test("enrolment codes page: a new unit made with a parent and kind starts with the parent's configuration", async () => {
    await ensureUnit(db(), { id: 'cc-tinh', name: 'Tỉnh CC', kind: 'province' });
    const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
    if (!loaded.ok) throw new Error('embedded config');
    const { version } = await publishConfig(db(), {
      unitId: 'cc-tinh',
      config: loaded.config,
      centralKey: central().centralKey,
    });
    const c = await admin();
    await c.get('/codes');
    const base = { unit: '__new__', newUnitId: 'cc-xa', newUnitName: 'Xã CC', hours: '12' };
    for (const [more, testId] of [
      [{ newUnitParent: 'ghost', newUnitKind: 'commune' }, 'error-newUnitParent'],
      [{ newUnitParent: 'cc-tinh', newUnitKind: 'hamlet' }, 'error-newUnitKind'],
    ] as const) {
      const r = await c.post('/codes', { ...base, ...more });
      expect(r.status).toBe(400);
      expect(r.text).toContain(`data-testid="${testId}"`);
    }
    expect(await getUnitNode(db(), 'cc-xa')).toBeUndefined();
    const made = await c.post('/codes', { ...base, newUnitParent: 'cc-tinh', newUnitKind: 'commune' });
    expect(made.text).toContain('data-testid="issued-code"');
    expect(await getUnitNode(db(), 'cc-xa')).toMatchObject({ parentId: 'cc-tinh', kind: 'commune' });
    expect((await latestConfig(db(), 'cc-xa'))?.version).toBe(version);
  });

  test('units and report settings pages are for province admins only', async () => {
    await ensureUnit(db(), { id: 'cu-only', name: 'Xã O' });
    await makeAccount(db(), 'cu-viewer', 'unit_viewer', 'cu-only');
    const c = new ConsoleClient(central().url);
    await c.login('cu-viewer');
    expect((await c.get('/units')).status).toBe(403);
    expect((await c.get('/report-settings')).status).toBe(403);
    expect((await c.post('/units/cu-only', { name: 'X', parent: '', kind: 'commune', public: 'on' })).status).toBe(403);
    expect((await c.post('/report-settings', { settings: '{}' })).status).toBe(403);
    expect((await getUnitNode(db(), 'cu-only'))?.publicReport).toBe(false);
    const nav = (await c.get('/indicators')).text;
    expect(nav).toContain('/console/indicators"');
    expect(nav).not.toContain('/console/report-settings"');
  });

  test('report settings page shows values beside their defaults; a valid JSON is saved and audited, an invalid one explained', async () => {
    const c = await admin();
    try {
      const shown = await c.get('/report-settings');
      expect(shown.status).toBe(200);
      expect(shown.text).toContain('data-key="unitLevelIndicators"');
      expect(shown.text).toMatch(
        /data-key="decimals"><th scope="row"><code>decimals<\/code><\/th><td><code>1<\/code> <span class="badge info">mặc định/,
      );
      const next = { ...DEFAULT_REPORT_SETTINGS, decimals: 2, unitLevelIndicators: [5, 6, 8, 9] };
      const saved = await c.post('/report-settings', { settings: JSON.stringify(next) });
      expect(saved.status).toBe(200);
      expect(saved.text).toContain('data-testid="settings-ok"');
      expect(saved.text).toMatch(
        /data-key="decimals"><th scope="row"><code>decimals<\/code><\/th><td><code>2<\/code> <span class="badge warn">/,
      );
      expect(await loadReportSettings(db())).toEqual(next);
      expect((await listAudit(db(), { action: 'report_settings_saved' }))[0]?.detail).toMatchObject({
        settings: { decimals: 2 },
      });

      for (const [text, message] of [
        ['{ not json', 'Nội dung không phải JSON hợp lệ'],
        ['{"decimals": 9}', 'decimals'],
        ['{"unknownKey": 1}', 'Thiết lập không hợp lệ'],
        ['{"unitLevelIndicators": ["a"]}', 'unitLevelIndicators.0'],
        ['[]', 'Thiết lập không hợp lệ'],
      ]) {
        const r = await c.post('/report-settings', { settings: text! });
        expect(r.status, text).toBe(400);
        expect(r.text, text).toContain(message!);
        expect(r.text, 'what was sent is shown back').toContain(
          text!.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'),
        );
      }
      expect((await loadReportSettings(db())).decimals).toBe(2);
    } finally {
      await saveReportSettings(db(), DEFAULT_REPORT_SETTINGS, 'test', new Date());
    }
  });

  test('centralctl report-settings and report-settings-set', async () => {
    const { dir, cleanup } = tempDir('report-settings-');
    try {
      const shown = await ctl(central(), ['report-settings']);
      expect(shown.stdout).toContain('decimals = 1  (default)\n');
      writeFileSync(join(dir, 'ok.json'), JSON.stringify({ maxRangeDays: 400, rankTiesOn: 'exact' }));
      expect(await ctl(central(), ['report-settings-set', 'ok.json'], dir)).toMatchObject({ code: 0 });
      const json = ReportSettings.parse(JSON.parse((await ctl(central(), ['report-settings', '--json'])).stdout));
      expect(json).toEqual({ ...DEFAULT_REPORT_SETTINGS, maxRangeDays: 400, rankTiesOn: 'exact' });
      expect((await ctl(central(), ['report-settings'])).stdout).toContain('maxRangeDays = 400\n');
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ maxRangeDays: 5 }));
      writeFileSync(join(dir, 'broken.json'), '{');
      const bad = await ctl(central(), ['report-settings-set', 'bad.json'], dir);
      expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('  maxRangeDays: ') });
      expect((await ctl(central(), ['report-settings-set', 'broken.json'], dir)).code).toBe(1);
      expect((await ctl(central(), ['report-settings-set', 'missing.json'], dir)).code).toBe(1);
      expect((await ctl(central(), ['report-settings-set'], dir)).code).toBe(2);
      expect((await loadReportSettings(db())).maxRangeDays).toBe(400);
    } finally {
      cleanup();
      await saveReportSettings(db(), DEFAULT_REPORT_SETTINGS, 'test', new Date());
    }
  });
});
