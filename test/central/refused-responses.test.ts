import { expect, test } from 'vitest';
import { z } from 'zod';
import { runCommand } from '../../central/cli/commands.ts';
import { Int } from '../../central/db/rows.ts';
import { ensureUnit, publishConfig } from '../../central/index.ts';
import { reconcile } from '../../central/ops/reconciliation.ts';
import { RefusedResponse } from '../../central/ops/refused.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { BatchAck } from '../../shared/sync.ts';
import {
  type FakeDevice,
  type TestCentral,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeResponse,
  postBatch,
} from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const Refused = z.object({ seq: Int, reason: z.string(), detail: z.string(), body: z.unknown() });

/** A configuration like the embedded one, with quick at version 2 (a question added) for one unit. */
const quickV2Config = () => {
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error('embedded config');
  const { bundle } = loaded.config;
  const quick = bundle.questionnaires.find((q) => q.id === 'quick')!;
  const questionnaires = bundle.questionnaires.map((q) =>
    q.id === 'quick'
      ? {
          ...quick,
          version: 2,
          questions: [...quick.questions, { ...quick.questions[1]!, id: 'cleanliness' }],
        }
      : q,
  );
  return { bundle: { ...bundle, questionnaires }, version: 'test-quick-v2', hash: 'test-quick-v2' };
};

const ctl = async (central: TestCentral, args: string[]) => {
  let stdout = '';
  const code = await runCommand(args, {
    db: central.db,
    centralKey: () => central.centralKey,
    cwd: process.cwd(),
    out: (t) => (stdout += t),
    err: () => undefined,
    now: () => new Date(),
  });
  return { code, stdout };
};

forEachBackend('central sets invalid signed responses aside', (backend) => {
  const central = sharedCentral(backend);

  const send = async (device: FakeDevice, responses: ReturnType<typeof makeResponse>[]): Promise<BatchAck> => {
    const res = await postBatch(central(), kbatchBytes(device, envelopeOf(device, responses)));
    expect(res.status, await res.clone().text()).toBe(200);
    return BatchAck.parse(await res.json());
  };
  const rows = async (table: 'responses' | 'refused_responses', device: FakeDevice) =>
    (await central().db.query(`SELECT * FROM ${table} WHERE device_id = $1 ORDER BY seq`, [device.id])).rows.map((r) =>
      table === 'responses' ? Int.parse(r['seq']) : Refused.parse(r),
    );

  /** Seq 1 valid; 2 an unknown questionnaire; 3 an unknown question; 4 a value out of range; 5 valid. */
  const mixedBatch = (device: FakeDevice) => [
    makeResponse(device, 1),
    makeResponse(device, 2, { questionnaireId: 'made-up', questionnaireVersion: 1 }),
    makeResponse(device, 3, { answers: { overall: 5, attitude: 4, time: 3, bribe: true } }),
    makeResponse(device, 4, { answers: { overall: 9, attitude: 4, time: 3 } }),
    makeResponse(device, 5),
  ];

  test('unknown questionnaire, unknown question and out-of-range value are set aside with reasons, acked, not stored', async () => {
    const device = await enrolled(central());
    const batch = mixedBatch(device);
    const ack = await send(device, batch);
    expect(ack).toMatchObject({ received: 5, inserted: 2, duplicates: 0, conflicts: [], refused: 3 });
    // Refused seqs count as received: the device is gap-free to 5, so the kiosk never resends them.
    expect(ack.highestContiguousSeq).toBe(5);
    expect(await rows('responses', device)).toEqual([1, 5]);
    const aside = await rows('refused_responses', device);
    expect(aside).toEqual([
      expect.objectContaining({ seq: 2, reason: 'unknown_questionnaire', detail: expect.stringMatching(/made-up/) }),
      expect.objectContaining({
        seq: 3,
        reason: 'invalid_answers',
        detail: 'bribe: no such question in this questionnaire',
      }),
      expect.objectContaining({
        seq: 4,
        reason: 'invalid_answers',
        detail: 'overall: expected a whole number from 1 to 5',
      }),
    ]);
    expect(aside.map((r) => (r as { body: unknown }).body)).toEqual([batch[1], batch[2], batch[3]]);

    const rec = await reconcile(central().db, device.id);
    expect(rec).toMatchObject({ held: 5, highestContiguousSeq: 5, highestSeq: 5, gaps: [], missing: 0 });
  });

  test('the same batch again: nothing new stored or set aside, the refused ones reported again', async () => {
    const device = await enrolled(central());
    const batch = mixedBatch(device);
    await send(device, batch);
    const again = await send(device, batch);
    expect(again).toMatchObject({ received: 5, inserted: 0, duplicates: 2, conflicts: [], refused: 3 });
    expect(await rows('refused_responses', device)).toHaveLength(3);
    expect(await rows('responses', device)).toEqual([1, 5]);
  });

  test('a refused response edited under the same id, or a new id on its seq, is a conflict, not stored', async () => {
    const device = await enrolled(central());
    const batch = mixedBatch(device);
    await send(device, batch);
    const edited = { ...batch[3]!, answers: { overall: 4, attitude: 4, time: 3 } };
    const intruder = makeResponse(device, 2);
    const ack = await send(device, [batch[0]!, intruder, batch[2]!, edited, batch[4]!]);
    expect(ack).toMatchObject({ inserted: 0, duplicates: 2, refused: 1 });
    expect(ack.conflicts).toEqual([
      { id: intruder.id, seq: 2, reason: 'seq_taken' },
      { id: edited.id, seq: 4, reason: 'different_content' },
    ]);
    expect(await rows('responses', device)).toEqual([1, 5]);
  });

  test("a questionnaire version published only to another unit is unknown; published to the device's unit it is stored", async () => {
    await ensureUnit(central().db, { id: 'xa-v2', name: 'Xã V2' });
    await ensureUnit(central().db, { id: 'xa-v1', name: 'Xã V1' });
    await publishConfig(central().db, { unitId: 'xa-v2', config: quickV2Config(), centralKey: central().centralKey });
    const v2answers = { overall: 5, attitude: 4, time: 3, cleanliness: 5 };
    const inV2 = await enrolled(central(), undefined, 'xa-v2');
    const inV1 = await enrolled(central(), undefined, 'xa-v1');
    const v2 = (d: FakeDevice) => makeResponse(d, 1, { questionnaireVersion: 2, answers: v2answers });
    expect(await send(inV2, [v2(inV2)])).toMatchObject({ inserted: 1, refused: 0 });
    expect(await send(inV1, [v2(inV1)])).toMatchObject({ inserted: 0, refused: 1, highestContiguousSeq: 1 });
    // The embedded defaults stay known everywhere: a kiosk answers them until its unit's config arrives.
    expect(await send(inV1, [makeResponse(inV1, 2)])).toMatchObject({ inserted: 1, refused: 0 });
    expect(await send(inV2, [makeResponse(inV2, 2)])).toMatchObject({ inserted: 1, refused: 0 });
  });

  test('centralctl refused lists them with the reason, for one device or all, as text or JSON; devices counts them', async () => {
    const device = await enrolled(central());
    await send(device, mixedBatch(device));
    const text = await ctl(central(), ['refused', '--device', device.id]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${device.id} seq 3  invalid_answers  quick v1`);
    expect(text.stdout).toContain('bribe: no such question in this questionnaire');
    const json = z.array(RefusedResponse).parse(JSON.parse((await ctl(central(), ['refused', '--json'])).stdout));
    expect(json.filter((r) => r.deviceId === device.id).map((r) => [r.seq, r.reason])).toEqual([
      [4, 'invalid_answers'],
      [3, 'invalid_answers'],
      [2, 'unknown_questionnaire'],
    ]);
    expect((await ctl(central(), ['devices'])).stdout).toMatch(new RegExp(`${device.id}[^\\n]*\\n[^\\n]*refused=3`));
    expect((await ctl(central(), ['refused', '--device', 'not a device'])).code).toBe(2);
  });

  test('the console lists them for the province admin (linked from the nav), not for a unit viewer', async () => {
    const device = await enrolled(central());
    await send(device, mixedBatch(device));
    const admin = `ref-admin-${backend}`;
    await makeAccount(central().db, admin);
    const client = new ConsoleClient(central().url);
    await client.login(admin);
    const page = await client.get(`/refused?device=${device.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/console/refused"');
    const rows = [
      ...page.text.matchAll(/<tr data-testid="refused-row" data-device="([^"]+)" data-seq="(\d+)">(.*?)<\/tr>/gs),
    ];
    expect(rows.map((m) => [m[1], m[2]])).toEqual([
      [device.id, '4'],
      [device.id, '3'],
      [device.id, '2'],
    ]);
    expect(rows[0]![3]).toContain('overall: expected a whole number from 1 to 5');
    expect(rows[2]![3]).toMatch(/Bảng hỏi không xác định|Unknown questionnaire/);

    const viewer = `ref-viewer-${backend}`;
    await makeAccount(central().db, viewer, 'unit_viewer', 'default');
    const other = new ConsoleClient(central().url);
    await other.login(viewer);
    expect((await other.get('/refused')).status).toBe(403);
    expect((await other.get('/devices')).text).not.toContain('href="/console/refused"');
  });
});
