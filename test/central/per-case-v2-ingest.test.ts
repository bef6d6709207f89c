// Central's side of per-case version 2 (issue 11): a response's sources are checked like its answers and
// stored with it, version 1 answers from kiosks not yet updated stay valid, and a repeat of a case kept
// by an office that flags repeats counts as flagged.
import { expect, test } from 'vitest';
import { z } from 'zod';
import { Int } from '../../central/db/rows.ts';
import { factOf } from '../../central/reports/aggregate.ts';
import { runReport } from '../../central/reports/run-report.ts';
import { ReportQuery } from '../../shared/reports/query.ts';
import { embeddedQuestionnaires, keyOf } from '../../central/ingest/validate-responses.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { BatchAck } from '../../shared/sync.ts';
import { type FakeDevice, enrolled, envelopeOf, kbatchBytes, makeResponse, postBatch } from '../support/central.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const V2_CITIZEN = { 'so-co-quan-lien-he': 2, 'thai-do-can-bo': 1, 'muc-do-thuan-tien': 3, 'danh-gia-tong-the': 2 };
const v2 = (device: FakeDevice, seq: number, more: Partial<StoredResponse> = {}): StoredResponse =>
  makeResponse(device, seq, {
    questionnaireId: 'per-case',
    questionnaireVersion: 2,
    caseNumber: `HS-V2-${seq}`,
    answers: { 'tong-thoi-gian': 2, 'so-lan-lien-he': 1, ...V2_CITIZEN },
    sources: {
      'tong-thoi-gian': 'system',
      'so-lan-lien-he': 'system',
      ...Object.fromEntries(Object.keys(V2_CITIZEN).map((k) => [k, 'citizen' as const])),
    },
    ...more,
  });
const v1 = (device: FakeDevice, seq: number): StoredResponse =>
  makeResponse(device, seq, {
    questionnaireId: 'per-case',
    questionnaireVersion: 1,
    caseNumber: `HS-V1-${seq}`,
    answers: Object.fromEntries(PER_CASE_QUESTIONS.map((id) => [id, 2])),
  });

const Row = z.object({ seq: Int, body: z.unknown() });
const Refused = z.object({ seq: Int, reason: z.string(), detail: z.string() });

forEachBackend('per-case v2 at central', (backend) => {
  const central = sharedCentral(backend);

  test('stores v2 with its sources and v1 as before; refuses sources that do not fit', async () => {
    const device = await enrolled(central());
    const batch = [
      v2(device, 1),
      v1(device, 2),
      v2(device, 3, { sources: { ...v2(device, 3).sources, 'so-co-quan-lien-he': 'system' } }),
      v2(device, 4, { sources: undefined }),
      v2(device, 5, { sources: { ...v2(device, 5).sources, 'tong-thoi-gian': 'citizen' } }),
    ];
    const res = await postBatch(central(), kbatchBytes(device, envelopeOf(device, batch)));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(BatchAck.parse(await res.json())).toMatchObject({ received: 5, inserted: 2, refused: 3 });
    const db = central().db;
    const stored = (
      await db.query('SELECT seq, body FROM responses WHERE device_id = $1 ORDER BY seq', [device.id])
    ).rows.map((r) => Row.parse(r));
    expect(stored.map((r) => r.seq)).toEqual([1, 2]);
    expect(stored[0]!.body).toEqual(batch[0]);
    expect(stored[0]!.body).toMatchObject({ questionnaireVersion: 2, sources: { 'tong-thoi-gian': 'system' } });
    expect(stored[1]!.body).toMatchObject({ questionnaireVersion: 1 });
    expect(stored[1]!.body).not.toHaveProperty('sources');
    const refused = (
      await db.query('SELECT seq, reason, detail FROM refused_responses WHERE device_id = $1 ORDER BY seq', [device.id])
    ).rows.map((r) => Refused.parse(r));
    expect(refused).toEqual([
      {
        seq: 3,
        reason: 'invalid_answers',
        detail: 'so-co-quan-lien-he: only facts-derived indicators come from the system',
      },
      { seq: 4, reason: 'invalid_answers', detail: '(sources): this questionnaire needs the source of each answer' },
      { seq: 5, reason: 'invalid_answers', detail: 'tong-thoi-gian: this indicator is never asked of the citizen' },
    ]);

    // The per-case report reads both versions, and shows them apart when asked for one.
    const report = async (version?: number) => {
      const query = { report: 'per-case', from: '2026-11-01', to: '2026-11-30', unit: 'default', version };
      const r = await runReport(db, ReportQuery.parse(query), { viewer: null, now: new Date('2026-12-01T00:00:00Z') });
      if (r.report !== 'per-case') throw new Error(`asked for per-case, got ${r.report}`);
      return r;
    };
    expect((await report()).totals.n).toBe(2);
    const onlyV2 = await report(2);
    expect(onlyV2.totals.n).toBe(1);
    const v2Indicator1 = onlyV2.groups[0]!.indicators.find((i) => i.indicator === 1);
    expect(v2Indicator1).toMatchObject({ mean: 2 });
    expect((await report(1)).totals.n).toBe(1);
  });
});

test('a repeat of a case kept with the repeatCase flag counts as flagged; older responses without it do not', () => {
  const device = { id: 'kiosk-x' } as FakeDevice;
  const q = embeddedQuestionnaires().get(keyOf('per-case', 2));
  const place = { deviceId: device.id, responseId: 'r', unitId: 'u' };
  const plain = v2(device, 1);
  expect(factOf(plain, place, q).flagged).toBe(false);
  const repeat = v2(device, 2, { flags: { rapidRepeat: false, clockSuspect: false, repeatCase: true } });
  expect(factOf(repeat, place, q).flagged).toBe(true);
  expect(embeddedQuestionnaires().has(keyOf('per-case', 1))).toBe(true);
});
