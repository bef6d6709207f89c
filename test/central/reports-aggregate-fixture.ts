import type { Queryable } from '../../central/db/types.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { type BatchEnvelope, PROTOCOL_VERSION } from '../../shared/sync.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';

/** A questionnaire published to unit xa-a only (not embedded): the rebuild must find it as the ingest does. */
const published = Questionnaire.parse({
  id: 'khao-sat',
  version: 1,
  kind: 'custom',
  title: { vi: 'Khảo sát của xã' },
  questions: [
    { id: 'hai-long', type: 'satisfaction5', text: { vi: 'Hài lòng?' } },
    {
      id: 'ly-do',
      type: 'multi',
      text: { vi: 'Vì sao?' },
      options: ['a', 'b', 'c'].map((value) => ({ value, label: { vi: value } })),
    },
    { id: 'y-kien', type: 'text', required: false, text: { vi: 'Ý kiến' } },
  ],
});

const response = (
  deviceId: string,
  seq: number,
  submittedAt: string,
  more: Partial<StoredResponse>,
): StoredResponse => {
  const t = Date.parse(submittedAt);
  return {
    id: uuidv7(t),
    deviceId,
    seq,
    questionnaireId: 'quick',
    questionnaireVersion: 1,
    procedureCode: '1.001193',
    fieldCode: 'ho-tich',
    caseNumber: null,
    officerId: null,
    counterId: null,
    locale: 'vi',
    status: 'complete',
    startedAt: new Date(t - 60_000).toISOString(),
    submittedAt,
    durationMs: 60_000,
    answers: { overall: 5, attitude: 4, time: 3 },
    flags: { rapidRepeat: false, clockSuspect: false },
    ...more,
  };
};

/**
 * Units xa-a (device dev-1, a published questionnaire, six responses of every kind) and xa-b (device
 * dev-old, whose one response names a questionnaire version found nowhere), for the migration 7 test:
 * `seed` works at schema 6 and at the latest one.
 */
export const reportFixture = async () => {
  const responses: StoredResponse[] = [
    response('dev-1', 1, '2026-10-05T02:00:00.000Z', {
      answers: { overall: 5, attitude: 4, time: 3, comment: 'Rất tốt' },
    }),
    response('dev-1', 2, '2026-10-06T09:00:00.000Z', { officerId: 'cb-1', counterId: 'quay-1' }),
    response('dev-1', 3, '2026-10-07T03:00:00.000Z', {
      answers: { overall: 2, attitude: 2, time: 1, problems: ['cho-lau'] },
      flags: { rapidRepeat: true, clockSuspect: false },
    }),
    response('dev-1', 4, '2026-10-08T03:00:00.000Z', { status: 'abandoned', answers: { overall: 1 } }),
    // 00:30 on 1 November in Vietnam.
    response('dev-1', 5, '2026-10-31T17:30:00.000Z', {
      questionnaireId: 'khao-sat',
      answers: { 'hai-long': 4, 'ly-do': ['a', 'c'], 'y-kien': 'Đợi hơi lâu' },
    }),
    response('dev-1', 6, '2026-11-03T02:00:00.000Z', {
      questionnaireId: 'per-case',
      caseNumber: 'H01.2026-0042',
      answers: Object.fromEntries(PER_CASE_QUESTIONS.map((id, i) => [id, i % 3])),
    }),
  ];
  const envelope: BatchEnvelope = {
    protocol: PROTOCOL_VERSION,
    deviceId: 'dev-1',
    batchId: uuidv7(),
    seqFrom: 1,
    seqTo: responses.length,
    createdAt: new Date().toISOString(),
    responses,
  };
  const seed = async (db: Queryable): Promise<void> => {
    await db.query(`INSERT INTO units (id, name) VALUES ('xa-a', 'Xã A'), ('xa-b', 'Xã B')`);
    await db.query(
      `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at)
       VALUES ('dev-1', 'xa-a', 'k', '0.1.0', now()), ('dev-old', 'xa-b', 'k', '0.1.0', now())`,
    );
    await db.query(`INSERT INTO device_progress (device_id) VALUES ('dev-1'), ('dev-old')`);
    await db.query(
      `INSERT INTO questionnaires (id, version, hash, body, first_published_at) VALUES ('khao-sat', 1, 'fixture-khao-sat-1', $1, now())`,
      [JSON.stringify(published)],
    );
    await db.query(
      `INSERT INTO unit_questionnaires (unit_id, questionnaire_id, version, first_published_at) VALUES ('xa-a', 'khao-sat', 1, now())`,
    );
  };
  return {
    deviceId: 'dev-1',
    responses,
    envelope,
    seed,
    next: response('dev-1', 7, '2026-11-04T02:00:00.000Z', {}),
    orphan: response('dev-old', 1, '2026-10-09T02:00:00.000Z', { questionnaireId: 'cu', questionnaireVersion: 3 }),
  };
};
