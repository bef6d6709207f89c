/**
 * Seeds a province's worth of stored responses straight into PostgreSQL with generate_series, the
 * fast way (no kiosk, no HTTP, no JS per row): one commune in two has a per-case-heavy mix, answers
 * lean positive as published results do, submittedAt is spread over one year, 1 % are flagged and 5 %
 * abandoned. Runs on a database at schema 6, so migration 7 then builds the report tables the way it
 * would on an existing database.
 */
import type { CentralDb } from '../../central/db/types.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';

export type SeedShape = {
  communes: number;
  devicesPerCommune: number;
  proceduresPerCase: number;
  officersPerCommune: number;
  year: number;
};

export const DEFAULT_SEED_SHAPE: SeedShape = {
  communes: 120,
  devicesPerCommune: 2,
  proceduresPerCase: 60,
  officersPerCommune: 5,
  year: 2026,
};

export const PROVINCE = 'tinh-bench';
export const communeId = (i: number): string => `xa-${String(i + 1).padStart(3, '0')}`;

/** Synthetic per-case procedure codes in the national database's form ("1.00xxxx"), half in each per-case field. */
const perCaseProcedures = (n: number): { codes: string[]; fields: string[] } => ({
  codes: Array.from({ length: n }, (_, i) => `1.${String(100 + i).padStart(6, '0')}`),
  fields: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'ho-tich' : 'chung-thuc')),
});

const MOOD = `(ARRAY[1,2,3,4,4,5,5,5,5,4,4,3,5,4,5,2,5,4,5,5])[1 + floor(random() * 20)::int]`;
const POINTS = `(CASE WHEN random() < 0.72 THEN 2 WHEN random() < 0.7 THEN 1 ELSE 0 END)`;
const COMMENT = `(ARRAY['Cán bộ hướng dẫn nhiệt tình, chu đáo.', 'Thời gian chờ hơi lâu.', 'Nơi ngồi chờ chật, mùa hè nóng.', 'Phải đi lại hai lần vì thiếu giấy tờ.', 'can bo vui ve'])[1 + floor(random() * 5)::int]`;

const perCaseAnswers = (): string => {
  return `jsonb_build_object(${PER_CASE_QUESTIONS.map((id) => `'${id}', ${POINTS}`).join(', ')})
    || CASE WHEN random() < 0.1 THEN jsonb_build_object('comment', ${COMMENT}) ELSE '{}'::jsonb END`;
};

const sipasAnswers = (): string => {
  const ids = [
    'tiep-can-cho-ngoi',
    'tiep-can-trang-thiet-bi',
    'thu-tuc-niem-yet',
    'thu-tuc-thanh-phan-ho-so',
    'thu-tuc-phi-le-phi',
    'thu-tuc-thoi-han',
    'cong-chuc-lich-su',
    'cong-chuc-giai-dap',
    'cong-chuc-huong-dan',
    'cong-chuc-tuan-thu',
    'ket-qua-dung-quy-dinh',
    'ket-qua-day-du',
    'ket-qua-chinh-xac',
  ];
  return `jsonb_build_object(${ids.map((id) => `'${id}', ${MOOD}`).join(', ')}, 'da-gop-y', false, 'overall', ${MOOD})`;
};

const quickAnswers = (): string =>
  `jsonb_build_object('overall', x.mood, 'attitude', ${MOOD}, 'time', 1 + floor(random() * 3)::int)
    || CASE WHEN x.mood <= 2 THEN jsonb_build_object('problems', jsonb_build_array('cho-lau', 'thai-do')) ELSE '{}'::jsonb END`;

/** Units, devices (with their progress rows) and `total` responses; `progress` after each chunk. */
export const seedResponses = async (
  db: CentralDb,
  total: number,
  shape: SeedShape,
  progress: (done: number) => void,
): Promise<void> => {
  const devices = shape.communes * shape.devicesPerCommune;
  await db.query(`INSERT INTO units (id, name) VALUES ($1, 'Tỉnh (bench)')`, [PROVINCE]);
  await db.query(
    `INSERT INTO units (id, name) SELECT 'xa-' || lpad(i::text, 3, '0'), 'Xã ' || i FROM generate_series(1, $1) AS i`,
    [shape.communes],
  );
  await db.query(
    `INSERT INTO devices (id, unit_id, public_key, app_version, enrolled_at)
     SELECT 'bench-' || lpad(k::text, 4, '0'), 'xa-' || lpad((k / $2 + 1)::text, 3, '0'), 'bench', 'bench', now()
       FROM generate_series(0, $1 - 1) AS k`,
    [devices, shape.devicesPerCommune],
  );
  await db.query(`INSERT INTO device_progress (device_id) SELECT id FROM devices`);
  const procs = perCaseProcedures(shape.proceduresPerCase);
  const chunkSize = 200_000;
  for (let from = 0; from < total; from += chunkSize) {
    const to = Math.min(total, from + chunkSize);
    await db.query(
      `INSERT INTO responses (device_id, response_id, seq, content_hash, body, received_at, batch_id)
       SELECT x.device, x.rid, x.seq, md5(x.rid::text), jsonb_build_object(
                'id', x.rid, 'deviceId', x.device, 'seq', x.seq,
                'questionnaireId', x.q, 'questionnaireVersion', 1,
                'procedureCode', CASE x.q WHEN 'per-case' THEN ($3::text[])[x.p] WHEN 'sipas' THEN '1.001612' ELSE '1.001776' END,
                'fieldCode', CASE x.q WHEN 'per-case' THEN ($4::text[])[x.p] WHEN 'sipas' THEN 'dang-ky-kinh-doanh' ELSE 'bao-tro-xa-hoi' END,
                'caseNumber', CASE WHEN x.q = 'per-case' THEN 'HS' || x.i ELSE NULL END,
                'officerId', 'cb' || (x.k / $2) || '-' || x.officer,
                'counterId', 'quay-' || x.counter,
                'locale', 'vi', 'status', x.status,
                'startedAt', to_char(x.at - interval '2 minutes', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'submittedAt', to_char(x.at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'durationMs', 120000,
                'answers', CASE x.q WHEN 'per-case' THEN ${perCaseAnswers()} WHEN 'sipas' THEN ${sipasAnswers()} ELSE ${quickAnswers()} END,
                'flags', jsonb_build_object('rapidRepeat', random() < 0.01, 'clockSuspect', false)),
              now(), gen_random_uuid()
         FROM (SELECT i, i % $1 AS k, 'bench-' || lpad((i % $1)::text, 4, '0') AS device, i / $1 + 1 AS seq,
                      overlay(gen_random_uuid()::text placing '7' from 15 for 1)::uuid AS rid,
                      (ARRAY['per-case', 'per-case', 'per-case', 'per-case', 'per-case', 'quick', 'quick', 'quick', 'sipas', 'sipas'])[1 + floor(random() * 10)::int] AS q,
                      1 + floor(random() * $5)::int AS p, floor(random() * $6)::int AS officer, 1 + floor(random() * 4)::int AS counter,
                      CASE WHEN random() < 0.05 THEN 'abandoned' ELSE 'complete' END AS status,
                      make_timestamptz($7, 1, 1, 0, 0, 0, 'UTC') - interval '7 hours' + random() * interval '365 days' AS at,
                      ${MOOD} AS mood
                 FROM generate_series($8::bigint, $9::bigint - 1) AS i) AS x`,
      [
        devices,
        shape.devicesPerCommune,
        procs.codes,
        procs.fields,
        shape.proceduresPerCase,
        shape.officersPerCommune,
        shape.year,
        from,
        to,
      ],
    );
    progress(to);
  }
  await db.query(
    `UPDATE device_progress p SET highest_contiguous_seq = c.n, responses = c.n
       FROM (SELECT device_id, count(*) AS n FROM responses GROUP BY device_id) c WHERE c.device_id = p.device_id`,
  );
};
