import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import type { Answers } from '../../shared/answers.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { StoredResponse } from '../../shared/response.ts';
import {
  enrolRequest,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponse,
  postBatch,
  postJson,
} from '../support/central.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';
import {
  type CentralProcess,
  cleanupTempDirs,
  consoleLogin,
  noSeriousA11yIssues,
  runBin,
  scratchDir,
  test,
} from './support/central-process.ts';
import { SOURCES_WITH_FACTS } from './support/per-case-v2.ts';
import { fillAndShowReport, openReports, readTotals, reportTable } from './support/reports-page.ts';

/**
 * Per-case questionnaire version 1 and version 2 in ONE commune and month, read by a province leader in the
 * console (issues 10 and 11): the two versions are shown apart, never added up where a question changed.
 * Every figure below is worked out by hand (console in Vietnamese: decimal comma, one decimal).
 *
 *   v1  A 11-03  all nine indicators 2                                          total 18
 *   v1  B 11-10  all nine indicators 1                                          total  9
 *   v2  C 11-17  ind 1: 2, ind 3: 2 (both from the facts), ind 4: 1, ind 7: 2   total 7
 *   v2  D 11-18  ind 1: 1 (facts), ind 3: 0 (asked: return visits unknown), 4: 2, 7: 2   total 5
 *   v2  E 11-19  ind 1: 2, ind 3: 1 (both from the facts), ind 4: 2, ind 7: 1   total 6
 *
 * Indicators 3, 4, 7 were reworded in v2 and indicator 1 is taken from the facts, so each has a column per
 * version; 2, 5, 6, 8, 9 are v1's only.
 *   Both:  CS1 (v1) 1,5 | CS1 (v2) 5/3 = 1,7 | CS2 1,5 | CS3 (v1) 1,5 | CS3 (v2) 1,0 | CS4 (v1) 1,5 |
 *          CS4 (v2) 1,7 | CS5, CS6 1,5 | CS7 (v1) 1,5 | CS7 (v2) 1,7 | CS8, CS9 1,5; no total (– –).
 *   v1:    every indicator 1,5; total 9 × 1,5 = 13,5 /18 "Tốt".
 *   v2:    CS1 1,7, CS3 1,0, CS4 1,7, CS7 1,7; total 5/3 + 1 + 5/3 + 5/3 = 6,0 /8, graded on 18 points as
 *          6 × 18 / 8 = 13,5 "Tốt" (setting partialTotals "scaled").
 */

const UNIT = { id: 'xa-hai-phien-ban', name: 'Xã Hai Phiên Bản' };
const LEADER = { username: 'lanh-dao-phien-ban', password: 'lãnh đạo phiên bản 2026' };
const NOVEMBER = { report: 'per-case', period: { month: '2026-11' }, unit: UNIT.id, withSubunits: false } as const;

type Sources = NonNullable<StoredResponse['sources']>;
type Case = { label: string; day: string; version: 1 | 2; answers: Answers; sources?: Sources };

/** The shared fixture's sources, typed as a response carries them. */
const sourcesOf = (s: Record<string, string>): Sources =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v === 'system' ? 'system' : 'citizen']));

const v1 = (points: number): Answers => Object.fromEntries(PER_CASE_QUESTIONS.map((id) => [id, points]));
const v2 = (i1: number, i3: number, i4: number, i7: number): Answers => ({
  'tong-thoi-gian': i1,
  'so-lan-lien-he': i3,
  'so-co-quan-lien-he': i4,
  'thai-do-can-bo': i7,
  'muc-do-thuan-tien': 2,
  'danh-gia-tong-the': 2,
});
const FROM_FACTS = sourcesOf(SOURCES_WITH_FACTS);
const ASKED_RETURNS = sourcesOf({ ...SOURCES_WITH_FACTS, 'so-lan-lien-he': 'citizen' });

const CASES: Case[] = [
  { label: 'A', day: '2026-11-03', version: 1, answers: v1(2) },
  { label: 'B', day: '2026-11-10', version: 1, answers: v1(1) },
  { label: 'C', day: '2026-11-17', version: 2, answers: v2(2, 2, 1, 2), sources: FROM_FACTS },
  { label: 'D', day: '2026-11-18', version: 2, answers: v2(1, 0, 2, 2), sources: ASKED_RETURNS },
  { label: 'E', day: '2026-11-19', version: 2, answers: v2(2, 1, 2, 1), sources: FROM_FACTS },
];

const ctl = (central: CentralProcess, ...args: string[]): string =>
  runBin('centralctl', ['--data-dir', central.dataDir, ...args]);

/** A kiosk of the commune, as the protocol speaks: enrolled with a code IT issued, one signed batch of CASES. */
const kioskSends = async (central: CentralProcess): Promise<void> => {
  const { code } = JSON.parse(
    ctl(central, 'enrol-code', '--unit', UNIT.id, '--unit-name', UNIT.name, '--kind', 'commune', '--json'),
  ) as { code: string };
  const device = makeDevice();
  const enrol = await postJson(`${central.url}/v1/enrol`, enrolRequest(device, code));
  expect(enrol.status, await enrol.clone().text()).toBe(201);
  const responses = CASES.map((c, i): StoredResponse => {
    const t = Date.parse(`${c.day}T02:00:00.000Z`);
    return makeResponse(device, i + 1, {
      id: uuidv7(t),
      questionnaireId: 'per-case',
      questionnaireVersion: c.version,
      caseNumber: `HS-PB-${c.label}`,
      startedAt: new Date(t - 90_000).toISOString(),
      submittedAt: new Date(t).toISOString(),
      durationMs: 90_000,
      answers: c.answers,
      ...(c.sources ? { sources: c.sources } : {}),
    });
  });
  const res = await postBatch(central, kbatchBytes(device, envelopeOf(device, responses)));
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  expect(await res.json()).toMatchObject({ inserted: CASES.length, refused: 0 });
};

test.describe.configure({ mode: 'serial' });
test.afterAll(cleanupTempDirs);

test.beforeAll(async ({ central }) => {
  test.setTimeout(60_000);
  await kioskSends(central);
  const file = join(scratchDir('pw-'), 'password');
  writeFileSync(file, `${LEADER.password}\n`);
  ctl(central, 'create-admin', LEADER.username, '--password-file', file, '--role', 'province-admin');
});

/** The summary table as header → cell of its one row (or of the row whose first cell is `first`). */
const summaryRow = async (page: Parameters<typeof readTotals>[0], first?: string) => {
  const t = await reportTable(page, 'per-case-summary');
  const row = first === undefined ? t.rows[0] : t.rows.find((r) => r[0] === first);
  expect(row, `a row ${first ?? ''} in ${JSON.stringify(t.rows)}`).toBeDefined();
  return Object.fromEntries(t.head.map((h, i) => [h, row![i]]));
};

test('a leader sees per-case v1 and v2 apart, by version, and each alone with the version filter', async ({
  page,
  central,
}) => {
  await consoleLogin(page, central, LEADER.username, LEADER.password);
  await openReports(page, central);

  // Both versions: each changed indicator has a column per version; the v1-only ones stand alone; no total.
  await fillAndShowReport(page, NOVEMBER);
  expect((await readTotals(page)).n).toBe('5');
  const both = await reportTable(page, 'per-case-summary');
  expect(both.head.slice(5)).toEqual([
    'CS1 (v1)',
    'CS1 (v2)',
    'CS2',
    'CS3 (v1)',
    'CS3 (v2)',
    'CS4 (v1)',
    'CS4 (v2)',
    'CS5',
    'CS6',
    'CS7 (v1)',
    'CS7 (v2)',
    'CS8',
    'CS9',
    'Tổng điểm (/18)',
    'Xếp loại',
  ]);
  expect(both.rows[0]!.slice(1)).toEqual([
    '5',
    '0',
    '100,0%',
    '0',
    ...['1,5', '1,7', '1,5', '1,5', '1,0', '1,5', '1,7', '1,5', '1,5', '1,5', '1,7', '1,5', '1,5'],
    '–',
    '–',
  ]);
  await expect(page.getByTestId('report-notes')).toContainText('so-co-quan-lien-he, so-lan-lien-he, thai-do-can-bo');
  await noSeriousA11yIssues(page, 'per-case report, v1 and v2');

  // Grouped by questionnaire version: one row each, with its own total against its own maximum.
  await fillAndShowReport(page, { ...NOVEMBER, by: ['version'] });
  const byVersion = await reportTable(page, 'per-case-summary');
  expect(byVersion.head[0]).toBe('Phiên bản bộ câu hỏi');
  expect(byVersion.head).toContain('Tổng điểm');
  const v1Row = await summaryRow(page, 'v1');
  const v2Row = await summaryRow(page, 'v2');
  expect([v1Row[byVersion.head[1]!], v1Row['CS1 (v1)'], v1Row['CS1 (v2)'], v1Row['CS2']]).toEqual([
    '2',
    '1,5',
    '–',
    '1,5',
  ]);
  expect([v1Row['Tổng điểm'], v1Row['Xếp loại']]).toEqual(['13,5 /18', 'Tốt']);
  expect([v2Row[byVersion.head[1]!], v2Row['CS1 (v1)'], v2Row['CS1 (v2)'], v2Row['CS2'], v2Row['CS3 (v2)']]).toEqual([
    '3',
    '–',
    '1,7',
    '–',
    '1,0',
  ]);
  expect([v2Row['CS4 (v2)'], v2Row['CS7 (v2)'], v2Row['Tổng điểm'], v2Row['Xếp loại']]).toEqual([
    '1,7',
    '1,7',
    '6,0 /8',
    'Tốt',
  ]);

  // The version filter: version 1 alone, every indicator under one column, N 2, total 13,5.
  await fillAndShowReport(page, { ...NOVEMBER, by: [], version: 1 });
  expect((await readTotals(page)).n).toBe('2');
  const onlyV1 = await reportTable(page, 'per-case-summary');
  expect(onlyV1.head.slice(5)).toEqual([
    ...['CS1', 'CS2', 'CS3', 'CS4', 'CS5', 'CS6', 'CS7', 'CS8', 'CS9'],
    'Tổng điểm (/18)',
    'Xếp loại',
  ]);
  expect(onlyV1.rows[0]!.slice(5)).toEqual([...Array<string>(9).fill('1,5'), '13,5', 'Tốt']);

  // Version 2 alone: N 3, the four indicators it has, total 6,0 of 8.
  await fillAndShowReport(page, { ...NOVEMBER, version: 2 });
  expect((await readTotals(page)).n).toBe('3');
  const onlyV2 = await reportTable(page, 'per-case-summary');
  expect(onlyV2.head.slice(5)).toEqual(['CS1', 'CS3', 'CS4', 'CS7', 'Tổng điểm (/8)', 'Xếp loại']);
  expect(onlyV2.rows[0]!.slice(1)).toEqual(['3', '0', '100,0%', '0', '1,7', '1,0', '1,7', '1,7', '6,0', 'Tốt']);

  // Mẫu 1 of version 2: each evaluation's version, and the points taken from the case facts marked.
  await fillAndShowReport(page, { ...NOVEMBER, report: 'per-case-list', version: 2 });
  const list = await reportTable(page, 'per-case-list');
  const col = (name: string): number => list.head.indexOf(name);
  expect(list.rows.map((r) => [r[0], r[col('Phiên bản')], r[col('CS1')], r[col('CS3')], r[col('CS4')]])).toEqual([
    ['HS-PB-E', 'v2', '2 (hệ thống)', '1 (hệ thống)', '2'],
    ['HS-PB-D', 'v2', '1 (hệ thống)', '0', '2'],
    ['HS-PB-C', 'v2', '2 (hệ thống)', '2 (hệ thống)', '1'],
  ]);
});
