/**
 * A small province for report tests, with figures worked out by hand in test/central/report-engine.test.ts:
 *
 *   tinh (province)
 *   ├── xa-a (commune) ── xa-a-cn (branch)
 *   └── xa-b (commune)
 *
 * Per-case (questionnaire per-case v1, nine indicators), 2026:
 *   r1 xa-a    01-10 1.001193 cb1  all 2              total 18
 *   r2 xa-a    01-20 2.000908 cb2  all 1              total  9   comment
 *   r3 xa-a    02-05 1.001193 cb1  2,1,2,1,2,1,2,1,2  total 14
 *   a1 xa-a    02-06 1.001193 cb1  abandoned
 *   r4 xa-a-cn 01-15 1.001193 cb3  all 0              total  0
 *   r5 xa-b    01-12 2.000908 cb4  2,2,2,2,1,2,2,2,2  total 17
 *   r6 xa-b    02-10 2.000908 cb4  2,2,2,2,1,2,2,1,1  total 15
 *   f1 xa-b    02-11 2.000908 cb4  all 0, flagged (rapid repeat)
 * SIPAS (v1) at xa-a, 2026-01: s1, s2 (see SIPAS_ANSWERS). Quick at xa-b: k1, k2 (v1, January), k3 (v2,
 * submitted 2026-01-31T17:30Z = 2026-02-01 in Vietnam); v2 rewords "time", so it is split.
 */
import type { Queryable } from '../../central/db/types.ts';
import type { Answers } from '../../shared/answers.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';
import { seedQuestionnaire, seedResponses, seedUnits, type SeedResponse } from '../support/report-seed.ts';
import { defaultQuestionnaire } from '../shared/config-fixtures.ts';

export const perCase = defaultQuestionnaire('per-case-v1');
export const sipas = defaultQuestionnaire('sipas');
export const quickV1 = defaultQuestionnaire('quick');
/** Quick v2: the "time" question reworded (split by the version rule), everything else the same. */
export const quickV2 = Questionnaire.parse({
  ...quickV1,
  version: 2,
  questions: quickV1.questions.map((q) =>
    q.id === 'time' ? { ...q, text: { ...q.text, vi: 'Thời gian chờ đợi có hợp lý không?' } } : q,
  ),
});

export const INDICATOR_IDS = perCase.questions.flatMap((q) =>
  q.feeds?.instrument === 'per-case' ? [q.id] : [],
) as readonly string[];

const points = (p: number[], comment?: string): Answers => ({
  ...Object.fromEntries(p.map((v, i) => [INDICATOR_IDS[i]!, v])),
  ...(comment ? { comment } : {}),
});
const all = (v: number): number[] => Array<number>(9).fill(v);

const at = (day: string, hour = '03:00'): string => `${day}T${hour}:00.000Z`;

const HO_TICH = { procedure: '1.001193', field: 'ho-tich' };
const CHUNG_THUC = { procedure: '2.000908', field: 'chung-thuc' };

export const PER_CASE: SeedResponse[] = [
  {
    unit: 'xa-a',
    questionnaire: perCase,
    submittedAt: at('2026-01-10'),
    ...HO_TICH,
    officer: 'cb1',
    counter: 'q1',
    caseNumber: 'HS-001',
    answers: points(all(2)),
  },
  {
    unit: 'xa-a',
    questionnaire: perCase,
    submittedAt: at('2026-01-20'),
    ...CHUNG_THUC,
    officer: 'cb2',
    counter: 'q2',
    caseNumber: 'HS-002',
    answers: points(all(1), 'Cán bộ hướng dẫn chưa kỹ'),
  },
  {
    unit: 'xa-a',
    questionnaire: perCase,
    submittedAt: at('2026-02-05'),
    ...HO_TICH,
    officer: 'cb1',
    counter: 'q1',
    caseNumber: 'HS-003',
    answers: points([2, 1, 2, 1, 2, 1, 2, 1, 2]),
  },
  {
    unit: 'xa-a',
    questionnaire: perCase,
    submittedAt: at('2026-02-06'),
    ...HO_TICH,
    officer: 'cb1',
    counter: 'q1',
    status: 'abandoned',
    answers: points([2, 2]),
  },
  {
    unit: 'xa-a-cn',
    questionnaire: perCase,
    submittedAt: at('2026-01-15'),
    ...HO_TICH,
    officer: 'cb3',
    caseNumber: 'HS-004',
    answers: points(all(0)),
  },
  {
    unit: 'xa-b',
    questionnaire: perCase,
    submittedAt: at('2026-01-12'),
    ...CHUNG_THUC,
    officer: 'cb4',
    caseNumber: 'HS-005',
    answers: points([2, 2, 2, 2, 1, 2, 2, 2, 2]),
  },
  {
    unit: 'xa-b',
    questionnaire: perCase,
    submittedAt: at('2026-02-10'),
    ...CHUNG_THUC,
    officer: 'cb4',
    caseNumber: 'HS-006',
    answers: points([2, 2, 2, 2, 1, 2, 2, 1, 1]),
  },
  {
    unit: 'xa-b',
    questionnaire: perCase,
    submittedAt: at('2026-02-11'),
    ...CHUNG_THUC,
    officer: 'cb4',
    caseNumber: 'HS-007',
    flags: { rapidRepeat: true },
    answers: points(all(0)),
  },
];

/** s1 and s2, by question id; "da-gop-y" is false, so element gop-y has no answers. */
export const SIPAS_ANSWERS: Answers[] = [
  {
    'tiep-can-cho-ngoi': 5,
    'tiep-can-trang-thiet-bi': 4,
    'thu-tuc-niem-yet': 3,
    'thu-tuc-thanh-phan-ho-so': 3,
    'thu-tuc-phi-le-phi': 3,
    'thu-tuc-thoi-han': 3,
    'cong-chuc-lich-su': 5,
    'cong-chuc-giai-dap': 5,
    'cong-chuc-huong-dan': 5,
    'cong-chuc-tuan-thu': 5,
    'ket-qua-dung-quy-dinh': 4,
    'ket-qua-day-du': 4,
    'ket-qua-chinh-xac': 4,
    'da-gop-y': false,
    overall: 4,
  },
  {
    'tiep-can-cho-ngoi': 2,
    'tiep-can-trang-thiet-bi': 4,
    'thu-tuc-niem-yet': 4,
    'thu-tuc-thanh-phan-ho-so': 2,
    'thu-tuc-phi-le-phi': 2,
    'thu-tuc-thoi-han': 2,
    'cong-chuc-lich-su': 4,
    'cong-chuc-giai-dap': 4,
    'cong-chuc-huong-dan': 4,
    'cong-chuc-tuan-thu': 4,
    'ket-qua-dung-quy-dinh': 1,
    'ket-qua-day-du': 1,
    'ket-qua-chinh-xac': 1,
    'da-gop-y': false,
    overall: 2,
  },
];

const DKKD = { procedure: '1.001612', field: 'dang-ky-kinh-doanh' };

export const SIPAS: SeedResponse[] = SIPAS_ANSWERS.map((answers, i) => ({
  unit: 'xa-a',
  questionnaire: sipas,
  submittedAt: at(`2026-01-2${i + 1}`),
  ...DKKD,
  answers,
}));

const BTXH = { procedure: '1.001776', field: 'bao-tro-xa-hoi' };

export const QUICK: SeedResponse[] = [
  {
    unit: 'xa-b',
    questionnaire: quickV1,
    submittedAt: at('2026-01-05'),
    ...BTXH,
    answers: { overall: 5, attitude: 4, time: 3, problems: ['cho-lau'], comment: 'Chờ hơi lâu' },
  },
  {
    unit: 'xa-b',
    questionnaire: quickV1,
    submittedAt: at('2026-01-06'),
    ...BTXH,
    answers: {
      overall: 2,
      attitude: 2,
      time: 1,
      problems: ['cho-lau', 'thai-do'],
      comment: 'Cán bộ thiếu nhiệt tình, đợi lâu',
    },
  },
  {
    unit: 'xa-b',
    questionnaire: quickV2,
    submittedAt: '2026-01-31T17:30:00.000Z',
    ...BTXH,
    answers: { overall: 4, attitude: 5, time: 2, problems: ['huong-dan'] },
  },
];

/** Seeds the whole province; returns the response ids by label (r1.., s1.., k1..). */
export const seedProvince = async (db: Queryable): Promise<Record<string, string>> => {
  await seedUnits(db, [
    { id: 'tinh', name: 'Tỉnh Thử Nghiệm', kind: 'province' },
    { id: 'xa-a', name: 'Xã A', parent: 'tinh', kind: 'commune' },
    { id: 'xa-a-cn', name: 'Chi nhánh Xã A', parent: 'xa-a', kind: 'branch' },
    { id: 'xa-b', name: 'Xã B', parent: 'tinh', kind: 'commune' },
  ]);
  await seedQuestionnaire(db, quickV2);
  const ids: Record<string, string> = {};
  const label = ['r1', 'r2', 'r3', 'a1', 'r4', 'r5', 'r6', 'f1'];
  (await seedResponses(db, PER_CASE)).forEach((id, i) => (ids[label[i]!] = id));
  (await seedResponses(db, SIPAS)).forEach((id, i) => (ids[`s${i + 1}`] = id));
  (await seedResponses(db, QUICK)).forEach((id, i) => (ids[`k${i + 1}`] = id));
  return ids;
};
