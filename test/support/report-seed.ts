/**
 * Seeds the report tables directly, with rows exactly as docs/reports.md (and migration 7's comments) say
 * the ingest writes them: one report_facts row per response (day = submittedAt in UTC+7), report_daily
 * and report_monthly counts ('_status' complete/abandoned for every response; for complete responses one
 * row per answer value, one per option chosen, text never), the roll-ups of migration 8 (report_monthly_unit
 * without field and procedure; report_monthly_tree for each strict ancestor of the unit, so seed the units
 * first), plus the responses row a list reads answers from. Tests of the report engine use it so that they do not depend on the ingest being built.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../central/db/types.ts';
import type { Answers } from '../../shared/answers.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { scaleMax, scaleMin } from '../../shared/questionnaire.ts';

export type SeedUnit = {
  id: string;
  name: string;
  parent?: string;
  kind: 'province' | 'centre' | 'branch' | 'commune' | 'unit';
};

export const seedUnits = async (db: Queryable, units: readonly SeedUnit[]): Promise<void> => {
  for (const u of units) {
    await db.query(
      `INSERT INTO units (id, name, parent_id, kind) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, kind = excluded.kind`,
      [u.id, u.name, u.parent ?? null, u.kind],
    );
    await db.query(
      `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at) VALUES ($1, $2, 'test-key', '0.0.0', now())
       ON CONFLICT (id) DO NOTHING`,
      [deviceOf(u.id), u.id],
    );
  }
};

const deviceOf = (unit: string): string => `dev-${unit}`;

export type SeedResponse = {
  unit: string;
  questionnaire: Questionnaire;
  submittedAt: string;
  procedure: string;
  field: string;
  officer?: string;
  counter?: string;
  caseNumber?: string;
  status?: 'complete' | 'abandoned';
  flags?: { rapidRepeat?: boolean; clockSuspect?: boolean };
  answers: Answers;
  /** Per-case v2: who gave each answer (the citizen, or the system from the case's facts), stored in the body. */
  sources?: Record<string, 'citizen' | 'system'>;
};

/** The calendar day in Asia/Ho_Chi_Minh (UTC+7, no daylight saving) of an instant. */
export const vietnamDay = (iso: string): string => new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 10);

/** The response's 0..1 score as the facts keep it: per-case total / max, else the mean of scale answers over their range. */
const scoreOf = (q: Questionnaire, answers: Answers): number | null => {
  const indicators = q.questions.filter((x) => x.feeds?.instrument === 'per-case' && x.type === 'indicator');
  if (q.kind === 'per-case' && indicators.length > 0) {
    const points = indicators.map((x) => answers[x.id]).filter((v): v is number => typeof v === 'number');
    return points.length === 0 ? null : points.reduce((a, b) => a + b, 0) / (2 * indicators.length);
  }
  const parts: number[] = [];
  for (const x of q.questions) {
    const v = answers[x.id];
    if (typeof v !== 'number' || (x.type !== 'satisfaction5' && x.type !== 'satisfaction3' && x.type !== 'indicator'))
      continue;
    parts.push((v - scaleMin(x.type)) / (scaleMax(x.type) - scaleMin(x.type)));
  }
  return parts.length === 0 ? null : parts.reduce((a, b) => a + b, 0) / parts.length;
};

const fold = (s: string): string =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .normalize('NFC');

/** Count rows of one response: (question, value) pairs. */
const countPairs = (q: Questionnaire, r: SeedResponse): [string, string][] => {
  const status = r.status ?? 'complete';
  const pairs: [string, string][] = [['_status', status]];
  if (status !== 'complete') return pairs;
  for (const x of q.questions) {
    const v = r.answers[x.id];
    if (v === undefined || x.type === 'text') continue;
    if (Array.isArray(v)) for (const option of v) pairs.push([x.id, option]);
    else pairs.push([x.id, String(v)]);
  }
  return pairs;
};

/** The unit's parent, grandparent, ... as the units table has them now (the tree roll-up's keys). */
const strictAncestors = async (db: Queryable, unit: string): Promise<string[]> => {
  const out: string[] = [];
  let at: string | null = unit;
  while (at !== null) {
    const row: Record<string, unknown> | undefined = (await db.query('SELECT parent_id FROM units WHERE id = $1', [at]))
      .rows[0];
    at = typeof row?.['parent_id'] === 'string' ? row['parent_id'] : null;
    if (at !== null) out.push(at);
  }
  return out;
};

/** Stores each response as the ingest would and returns their response ids, in order. */
export const seedResponses = async (db: Queryable, responses: readonly SeedResponse[]): Promise<string[]> => {
  const ids: string[] = [];
  for (const r of responses) {
    const device = deviceOf(r.unit);
    const last = await db.query('SELECT coalesce(max(seq), 0) AS seq FROM responses WHERE device_id = $1', [device]);
    const seq = Number(last.rows[0]?.['seq'] ?? 0) + 1;
    const id = randomUUID();
    ids.push(id);
    const q = r.questionnaire;
    const status = r.status ?? 'complete';
    const flagged = Boolean(r.flags?.rapidRepeat || r.flags?.clockSuspect);
    const body = {
      id,
      deviceId: device,
      seq,
      questionnaireId: q.id,
      questionnaireVersion: q.version,
      procedureCode: r.procedure,
      fieldCode: r.field,
      caseNumber: r.caseNumber ?? null,
      officerId: r.officer ?? null,
      counterId: r.counter ?? null,
      locale: 'vi',
      status,
      startedAt: new Date(Date.parse(r.submittedAt) - 60_000).toISOString(),
      submittedAt: r.submittedAt,
      durationMs: 60_000,
      answers: r.answers,
      ...(r.sources ? { sources: r.sources } : {}),
      flags: { rapidRepeat: r.flags?.rapidRepeat ?? false, clockSuspect: r.flags?.clockSuspect ?? false },
    };
    await db.query(
      `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
       VALUES ($1, $2, $3, $4, $5::jsonb, now(), $6)`,
      [device, id, seq, `hash-${id}`, JSON.stringify(body), randomUUID()],
    );
    const texts = q.questions.flatMap((x) => {
      const v = r.answers[x.id];
      return x.type === 'text' && typeof v === 'string' && v.trim() !== '' ? [v] : [];
    });
    const comment = texts.length === 0 ? null : texts.join('\n\n');
    const day = vietnamDay(r.submittedAt);
    const ancestors = await strictAncestors(db, r.unit);
    await db.query(
      `INSERT INTO report_facts (device_id, response_id, unit_id, day, submitted_at, questionnaire_id, version, kind,
         field_code, procedure_code, officer_id, counter_id, case_number, complete, flagged, score, comment, comment_folded)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        device,
        id,
        r.unit,
        day,
        r.submittedAt,
        q.id,
        q.version,
        q.kind,
        r.field,
        r.procedure,
        r.officer ?? '',
        r.counter ?? '',
        r.caseNumber ?? null,
        status === 'complete',
        flagged,
        scoreOf(q, r.answers),
        comment,
        comment === null ? null : fold(comment),
      ],
    );
    for (const [question, value] of countPairs(q, r)) {
      await db.query(
        `INSERT INTO report_daily (unit_id, day, questionnaire_id, version, field_code, procedure_code, officer_id, counter_id,
           flagged, question_id, value, n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)
         ON CONFLICT (unit_id, day, questionnaire_id, version, field_code, procedure_code, officer_id, counter_id, flagged, question_id, value)
         DO UPDATE SET n = report_daily.n + 1`,
        [
          r.unit,
          day,
          q.id,
          q.version,
          r.field,
          r.procedure,
          r.officer ?? '',
          r.counter ?? '',
          flagged,
          question,
          value,
        ],
      );
      await db.query(
        `INSERT INTO report_monthly (unit_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)
         ON CONFLICT (unit_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value)
         DO UPDATE SET n = report_monthly.n + 1`,
        [r.unit, `${day.slice(0, 7)}-01`, q.id, q.version, r.field, r.procedure, flagged, question, value],
      );
      await db.query(
        `INSERT INTO report_monthly_unit (unit_id, month, questionnaire_id, version, flagged, question_id, value, n)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
         ON CONFLICT (unit_id, month, questionnaire_id, version, flagged, question_id, value)
         DO UPDATE SET n = report_monthly_unit.n + 1`,
        [r.unit, `${day.slice(0, 7)}-01`, q.id, q.version, flagged, question, value],
      );
      for (const ancestor of ancestors)
        await db.query(
          `INSERT INTO report_monthly_tree (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value, n)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)
           ON CONFLICT (ancestor_id, month, questionnaire_id, version, field_code, procedure_code, flagged, question_id, value)
           DO UPDATE SET n = report_monthly_tree.n + 1`,
          [ancestor, `${day.slice(0, 7)}-01`, q.id, q.version, r.field, r.procedure, flagged, question, value],
        );
    }
  }
  return ids;
};

/** Publishes a questionnaire version to central's questionnaires table (as a publication would). */
export const seedQuestionnaire = async (db: Queryable, q: Questionnaire): Promise<void> => {
  await db.query(
    `INSERT INTO questionnaires (id, version, hash, body, first_published_at) VALUES ($1, $2, $3, $4::jsonb, now())
     ON CONFLICT (id, version) DO NOTHING`,
    [q.id, q.version, `seed-${q.id}-${q.version}-${randomUUID()}`, JSON.stringify(q)],
  );
};

export type SeedIndicatorEntry = {
  unit: string;
  year: number;
  quarter: number;
  indicator: number;
  self?: number;
  verified?: number;
};

/** A unit-level indicator entry, self-assessed and/or verified (as the console's indicators page stores it). */
export const seedUnitIndicator = async (db: Queryable, e: SeedIndicatorEntry): Promise<void> => {
  await db.query(
    `INSERT INTO unit_indicator_scores (unit_id, year, quarter, indicator, self_points, self_by, self_at,
       verified_points, verified_by, verified_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.unit,
      e.year,
      e.quarter,
      e.indicator,
      e.self ?? null,
      e.self === undefined ? null : 'unit-officer',
      e.self === undefined ? null : new Date(),
      e.verified ?? null,
      e.verified === undefined ? null : 'province-admin',
      e.verified === undefined ? null : new Date(),
    ],
  );
};
