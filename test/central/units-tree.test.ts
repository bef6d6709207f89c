import { expect, test } from 'vitest';
import { z } from 'zod';
import { runCommand } from '../../central/cli/commands.ts';
import { publishConfig } from '../../central/index.ts';
import { isWithin, unitsUnder } from '../../central/ops/unit-tree.ts';
import {
  type UnitChange,
  UnitTreeError,
  ensureUnit,
  getUnitNode,
  listUnitTree,
  updateUnit,
} from '../../central/ops/units.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { openSigned, publicKeyFrom } from '../../shared/node/signing.ts';
import { BatchAck, PublishedConfig, Signed } from '../../shared/sync.ts';
import {
  type FakeDevice,
  type TestCentral,
  enrolRequest,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponse,
  postBatch,
  postJson,
  signedFetch,
} from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

type Run = { code: number; stdout: string; stderr: string };

const ctl = async (central: TestCentral, args: string[]): Promise<Run> => {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, {
    db: central.db,
    centralKey: () => central.centralKey,
    cwd: process.cwd(),
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    now: () => new Date(),
  });
  return { code, stdout, stderr };
};

/** The embedded configuration with quick at version 2 (a question added): only a unit given it may answer it. */
const quickV2Config = () => {
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error('embedded config');
  const { bundle } = loaded.config;
  const questionnaires = bundle.questionnaires.map((q) =>
    q.id === 'quick' ? { ...q, version: 2, questions: [...q.questions, { ...q.questions[1]!, id: 'cleanliness' }] } : q,
  );
  return { bundle: { ...bundle, questionnaires }, version: 'tree-quick-v2', hash: 'tree-quick-v2' };
};

const TreeRow = z.object({ id: z.string(), parentId: z.string().nullable(), kind: z.string(), depth: z.number() });

forEachBackend('units as a tree', (backend) => {
  const central = sharedCentral(backend);
  const db = () => central().db;
  const change = (id: string, c: UnitChange) => db().transaction((tx) => updateUnit(tx, id, c));

  test('units made with a parent and kind list as a tree with depth; unitsUnder/isWithin follow it', async () => {
    expect(await ensureUnit(db(), { id: 'tinh-a', name: 'Tỉnh A', kind: 'province' })).toBe(true);
    await ensureUnit(db(), { id: 'ttpvhcc-a', name: 'Trung tâm A', parentId: 'tinh-a', kind: 'centre' });
    await ensureUnit(db(), { id: 'cn-a1', name: 'Chi nhánh A1', parentId: 'ttpvhcc-a', kind: 'branch' });
    await ensureUnit(db(), { id: 'xa-a2', name: 'Xã A2', parentId: 'tinh-a', kind: 'commune' });
    const tree = (await listUnitTree(db(), 'tinh-a')).map((u) => [u.id, u.depth, u.kind]);
    expect(tree).toEqual([
      ['tinh-a', 0, 'province'],
      ['ttpvhcc-a', 1, 'centre'],
      ['cn-a1', 2, 'branch'],
      ['xa-a2', 1, 'commune'],
    ]);
    expect(await unitsUnder(db(), 'tinh-a', true)).toEqual(['cn-a1', 'tinh-a', 'ttpvhcc-a', 'xa-a2']);
    expect(await isWithin(db(), 'cn-a1', 'tinh-a')).toBe(true);
    expect(await isWithin(db(), 'tinh-a', 'cn-a1')).toBe(false);
  });

  test('an existing unit (made before the tree) is a root of kind "unit" and keeps working', async () => {
    await db().query(`INSERT INTO units (id, name) VALUES ('cu-xa', 'Xã cũ') ON CONFLICT DO NOTHING`);
    expect(await getUnitNode(db(), 'cu-xa')).toEqual({
      id: 'cu-xa',
      name: 'Xã cũ',
      parentId: null,
      kind: 'unit',
      publicReport: false,
    });
    expect((await listUnitTree(db())).find((u) => u.id === 'cu-xa')?.depth).toBe(0);
  });

  test('setting a parent refuses a cycle (itself, or a unit under it) and an unknown parent, changing nothing', async () => {
    await ensureUnit(db(), { id: 'c-root', name: 'Gốc' });
    await ensureUnit(db(), { id: 'c-mid', name: 'Giữa', parentId: 'c-root' });
    await ensureUnit(db(), { id: 'c-leaf', name: 'Lá', parentId: 'c-mid' });
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: unknown) => e,
      );
    const self = await refusal(change('c-root', { parentId: 'c-root' }));
    expect(self).toBeInstanceOf(UnitTreeError);
    expect(self).toMatchObject({ code: 'cycle', message: 'unit "c-root" cannot be its own parent' });
    expect(await refusal(change('c-root', { parentId: 'c-leaf' }))).toMatchObject({
      code: 'cycle',
      message: 'unit "c-leaf" lies under "c-root"; making it the parent would close a cycle',
    });
    expect(await refusal(change('c-mid', { parentId: 'nowhere' }))).toMatchObject({
      code: 'unknown_parent',
    });
    expect(await refusal(change('nowhere', { kind: 'commune' }))).toMatchObject({ code: 'unknown_unit' });
    expect(await refusal(ensureUnit(db(), { id: 'c-new', name: 'Mới', parentId: 'nowhere' }))).toMatchObject({
      code: 'unknown_parent',
    });
    expect(await getUnitNode(db(), 'c-new')).toBeUndefined();
    expect((await getUnitNode(db(), 'c-root'))?.parentId).toBeNull();
    // A legal move takes the subtree along; removing the parent makes it a root again.
    await ensureUnit(db(), { id: 'c-other', name: 'Khác' });
    await change('c-mid', { parentId: 'c-other' });
    expect(await unitsUnder(db(), 'c-other', true)).toEqual(['c-leaf', 'c-mid', 'c-other']);
    await change('c-mid', { parentId: null });
    expect((await getUnitNode(db(), 'c-mid'))?.parentId).toBeNull();
  });

  test('two moves at once that together would close a cycle: one is refused', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = [`race-a${round}`, `race-b${round}`];
      await ensureUnit(db(), { id: a, name: 'A' });
      await ensureUnit(db(), { id: b, name: 'B' });
      const outcomes = await Promise.allSettled([change(a, { parentId: b }), change(b, { parentId: a })]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o) => o.status === 'rejected');
      expect(refused?.status === 'rejected' && refused.reason).toMatchObject({ code: 'cycle' });
    }
  });

  test('centralctl unit-add, unit-set and units: the tree as text and JSON; refusals are clear and change nothing', async () => {
    expect((await ctl(central(), ['unit-add', 'k-tinh', '--name', 'Tỉnh K', '--kind', 'province'])).code).toBe(0);
    const add = await ctl(central(), ['unit-add', 'k-xa', '--name', 'Xã K', '--parent', 'k-tinh', '--kind', 'commune']);
    expect(add).toMatchObject({ code: 0, stdout: 'created unit "k-xa" under "k-tinh"\n' });
    const text = (await ctl(central(), ['units'])).stdout;
    expect(text).toContain('k-tinh  Tỉnh K  [province]\n  k-xa  Xã K  [commune]\n');
    const json = z.array(TreeRow).parse(JSON.parse((await ctl(central(), ['units', '--json'])).stdout));
    expect(json.find((u) => u.id === 'k-xa')).toMatchObject({ parentId: 'k-tinh', depth: 1, kind: 'commune' });

    const set = await ctl(central(), ['unit-set', 'k-xa', '--name', 'Phường K', '--public', 'on']);
    expect(set).toMatchObject({ code: 0 });
    expect(await getUnitNode(db(), 'k-xa')).toMatchObject({ name: 'Phường K', publicReport: true, parentId: 'k-tinh' });
    expect((await ctl(central(), ['unit-set', 'k-xa', '--public', 'off'])).code).toBe(0);
    expect((await getUnitNode(db(), 'k-xa'))?.publicReport).toBe(false);

    const cycle = await ctl(central(), ['unit-set', 'k-tinh', '--parent', 'k-xa']);
    expect(cycle).toMatchObject({ code: 1, stderr: expect.stringContaining('would close a cycle') });
    expect((await ctl(central(), ['unit-set', 'k-xa', '--parent', 'ghost'])).stderr).toContain(
      'unknown parent unit "ghost"',
    );
    expect((await ctl(central(), ['unit-set', 'ghost', '--kind', 'commune'])).stderr).toContain('unknown unit "ghost"');
    expect((await ctl(central(), ['unit-add', 'k-xa', '--name', 'Lần hai'])).code).toBe(1);
    // Usage errors: exit 2.
    for (const args of [
      ['unit-add', 'k-y'],
      ['unit-add', 'K Y', '--name', 'x'],
      ['unit-add', 'k-y', '--name', 'x', '--kind', 'village'],
      ['unit-set', 'k-xa'],
      ['unit-set', 'k-xa', '--parent', 'k-tinh', '--no-parent'],
      ['unit-set', 'k-xa', '--public', 'yes'],
      ['enrol-code', '--unit', 'k-z', '--kind', 'hamlet'],
    ])
      expect((await ctl(central(), args)).code, args.join(' ')).toBe(2);
    for (const args of [
      ['unit-add', 'k-y', '--name', 'Y', '--parent', 'ghost'],
      ['enrol-code', '--unit', 'k-y', '--parent', 'ghost'],
    ])
      expect(await ctl(central(), args), args.join(' ')).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('unknown parent unit "ghost"'),
      });
    expect(await getUnitNode(db(), 'k-y')).toBeUndefined();
    expect(await getUnitNode(db(), 'k-z')).toBeUndefined();
    expect((await ctl(central(), ['unit-set', 'k-xa', '--no-parent'])).code).toBe(0);
    expect((await getUnitNode(db(), 'k-xa'))?.parentId).toBeNull();
  });

  const send = async (device: FakeDevice, responses: ReturnType<typeof makeResponse>[]): Promise<BatchAck> => {
    const res = await postBatch(central(), kbatchBytes(device, envelopeOf(device, responses)));
    expect(res.status, await res.clone().text()).toBe(200);
    return BatchAck.parse(await res.json());
  };

  test('a kiosk enrolled into a new commune under a province with a published config gets that config; its answers are stored', async () => {
    await ensureUnit(db(), { id: 'p-tinh', name: 'Tỉnh P', kind: 'province' });
    const config = quickV2Config();
    const { version } = await publishConfig(db(), { unitId: 'p-tinh', config, centralKey: central().centralKey });
    const issued = await ctl(central(), [
      'enrol-code',
      '--unit',
      'p-xa',
      '--unit-name',
      'Xã P',
      '--parent',
      'p-tinh',
      '--kind',
      'commune',
    ]);
    expect(issued.stderr).toContain('created unit "p-xa" (Xã P) under "p-tinh"');
    const device = makeDevice();
    const enrol = await postJson(`${central().url}/v1/enrol`, enrolRequest(device, issued.stdout.trim()));
    expect(enrol.status).toBe(201);
    const res = await signedFetch(central(), device, 'GET', '/v1/config');
    expect(res.status).toBe(200);
    const opened = openSigned(Signed.parse(await res.json()), publicKeyFrom(central().centralKey.publicKey));
    expect(opened.ok).toBe(true);
    const published = PublishedConfig.parse(opened.ok ? opened.value : null);
    // The version names central's contact key too (ops/configs.ts), so kiosks fetch a key change.
    expect(published.version).toBe(version);
    expect(version).toMatch(/^tree-quick-v2\.k[0-9a-f]{6}$/);
    expect(published.bundle.questionnaires.find((q) => q.id === 'quick')?.version).toBe(2);
    const v2 = makeResponse(device, 1, {
      questionnaireVersion: 2,
      answers: { overall: 5, attitude: 4, time: 3, cleanliness: 5 },
    });
    expect(await send(device, [v2])).toMatchObject({ inserted: 1, refused: 0 });
    expect((await getUnitNode(db(), 'p-xa'))?.kind).toBe('commune');
  });

  test('a grandchild inherits from the nearest ancestor with a config; a unit made without a parent gets none', async () => {
    await ensureUnit(db(), { id: 'g-tinh', name: 'Tỉnh G', kind: 'province' });
    const { version } = await publishConfig(db(), {
      unitId: 'g-tinh',
      config: quickV2Config(),
      centralKey: central().centralKey,
    });
    await ensureUnit(db(), { id: 'g-tt', name: 'Trung tâm G', parentId: 'g-tinh', kind: 'centre' });
    await ensureUnit(db(), { id: 'g-cn', name: 'Chi nhánh G', parentId: 'g-tt', kind: 'branch' });
    await ensureUnit(db(), { id: 'g-solo', name: 'Riêng' });
    const versions = async (unit: string) =>
      (await db().query('SELECT version FROM configs WHERE unit_id = $1', [unit])).rows.map((r) => r['version']);
    expect(await versions('g-cn')).toEqual([version]);
    expect(await versions('g-solo')).toEqual([]);
    const allowed = await db().query(
      `SELECT version FROM unit_questionnaires WHERE unit_id = 'g-cn' AND questionnaire_id = 'quick'`,
    );
    expect(allowed.rows.map((r) => Number(r['version']))).toEqual([2]);
  });
});
