/**
 * Issue 10's end-to-end story: a province with two communes, a kiosk in each answering a known set of
 * surveys through the kiosk core's API (staff choose the procedure and case number, respondents tap their
 * answers) at known times in October and November 2026, each kiosk syncing with its real engine; then
 * `centralctl report` and the console's export show exactly the figures computed here by hand; a third,
 * offline kiosk's October answer arrives late as a .kbatch file and changes October and nothing else; and a
 * unit viewer of one commune cannot read the other's figures. On PGlite and on PostgreSQL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { exportBatches } from '../../electron/core/sync/offline.ts';
import type { GroupKey, PerCaseGroup, ReportResult } from '../../shared/reports/result.ts';
import { ConsoleClient, TEST_PASSWORD } from '../support/console-client.ts';
import { tempDir } from '../support/tmp.ts';
import { testEngine } from '../sync/support/kiosk.ts';
import { forEachBackend } from './backends.ts';
import {
  type ClockedKiosk,
  type StoryCentral,
  centralctl,
  enrolWith,
  openClockedKiosk,
  perCase,
  respond,
  staffAssigns,
  startStoryCentral,
  vn,
} from './report-story-support.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';

type PerCaseReport = Extract<ReportResult, { report: 'per-case' }>;
type QuickReport = Extract<ReportResult, { report: 'quick' }>;

/** The groups with these keys ([unit] or [unit, month]), each one required to be there. */
const groupsOf = <G extends { key: GroupKey }>(r: { groups: G[] }, ...keys: [string, string?][]): G[] =>
  keys.map(([unit, month]) => {
    const found = r.groups.find((g) => g.key.unit === unit && g.key.month === month);
    if (!found) throw new Error(`no group ${unit} ${month ?? ''} in ${JSON.stringify(r.groups.map((g) => g.key))}`);
    return found;
  });

/** One indicator as computed by hand: evaluations at 0, 1 and 2 points, and the mean. */
type Row = [zero: number, one: number, two: number, mean: number];

const expectPerCase = (
  g: PerCaseGroup | undefined,
  hand: { n: number; abandoned: number; completion: number; indicators: Row[]; total: number; band: string },
): void => {
  expect(g).toMatchObject({
    n: hand.n,
    complete: hand.n,
    abandoned: hand.abandoned,
    completionPercent: hand.completion,
    flagged: 0,
    max: 18,
    band: { label: { vi: hand.band } },
    indicators: hand.indicators.map(([zero, one, two, mean], i) => ({
      indicator: i + 1,
      question: PER_CASE_QUESTIONS[i],
      counts: { 0: zero, 1: one, 2: two },
      valid: zero + one + two,
      mean,
      source: 'cases',
    })),
  });
  // The total is a sum of means: equal to the hand figure up to floating point.
  expect(g!.total).toBeCloseTo(hand.total, 10);
  // Each indicator question's own figures are the same counts.
  hand.indicators.forEach(([zero, one, two], i) => {
    const counts = Object.fromEntries(
      (
        [
          ['0', zero],
          ['1', one],
          ['2', two],
        ] as const
      ).filter(([, n]) => n > 0),
    );
    expect(g!.questions[PER_CASE_QUESTIONS[i]!]?.counts).toEqual(counts);
  });
};

/** A download's bytes as the browser receives them (the client's text() would drop a BOM). */
const download = async (client: ConsoleClient, path: string): Promise<Buffer> => {
  const res = await fetch(`${client.base}/console${path}`, {
    headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
};

/** The report without the moment it was made, to compare two runs. */
const withoutTime = (r: ReportResult): Omit<ReportResult, 'generatedAt'> => {
  const { generatedAt: _, ...rest } = r;
  return rest;
};

const PER_CASE_PROCEDURE = '1.001193'; // hộ tịch: the per-case questionnaire
const QUICK_PROCEDURE = '1.001776'; // bảo trợ xã hội: the quick questionnaire

forEachBackend('reports, end to end', (backend) => {
  let story: StoryCentral | undefined;
  beforeAll(async () => {
    story = await startStoryCentral(backend);
  });
  afterAll(async () => {
    await story?.close();
  });
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  test('two communes answer, sync, and the reports show the hand-computed figures', async () => {
    const { central, centralctlProcess } = story!;
    const scratch = (prefix: string): string => {
      const t = tempDir(prefix);
      cleanups.push(t.cleanup);
      return t.dir;
    };
    const ctl = async (...args: string[]) => {
      const r = await centralctl(central.db, args);
      expect(r.stderr).not.toMatch(/error|refused/i);
      expect(r.code).toBe(0);
      return r;
    };
    // IT sets up the province and its two communes, and issues each commune's enrolment code.
    await ctl('unit-add', 'tinh-test', '--name', 'Tỉnh Thử', '--kind', 'province');
    const codeFor = async (unit: string, name: string) =>
      (
        JSON.parse(
          (
            await ctl(
              'enrol-code',
              '--unit',
              unit,
              '--unit-name',
              name,
              '--parent',
              'tinh-test',
              '--kind',
              'commune',
              '--json',
            )
          ).stdout,
        ) as { code: string }
      ).code;
    const kioskIn = async (code: string): Promise<ClockedKiosk> => {
      const k = openClockedKiosk(vn('2026-09-30 08:00'));
      cleanups.push(() => k.close());
      await enrolWith(k, central.url, code);
      return k;
    };
    const kioskA = await kioskIn(await codeFor('xa-a', 'Xã A'));
    const kioskB = await kioskIn(await codeFor('xa-b', 'Xã B'));
    // xã B's second counter: enrolled at installation, then its network link went down for good.
    const kioskC = await kioskIn(
      (JSON.parse((await ctl('enrol-code', '--unit', 'xa-b', '--json')).stdout) as { code: string }).code,
    );

    // xã A -------------------------------------------------------------------------------------------
    staffAssigns(kioskA, PER_CASE_PROCEDURE, 'HS-A1');
    respond(kioskA, { at: '2026-10-05 09:00', answers: perCase([2, 2, 2, 2, 2, 2, 2, 2, 2]) }); // 18
    staffAssigns(kioskA, QUICK_PROCEDURE, null);
    respond(kioskA, { at: '2026-10-12 08:00', answers: { overall: 5, attitude: 4, time: 3 } });
    staffAssigns(kioskA, PER_CASE_PROCEDURE, 'HS-A2');
    respond(kioskA, { at: '2026-10-20 14:00', answers: perCase([2, 1, 2, 2, 1, 2, 2, 2, 2]) }); // 16
    staffAssigns(kioskA, PER_CASE_PROCEDURE, 'HS-A3');
    // 23:30 on 31 October in Vietnam is 16:30 UTC the same day: October.
    respond(kioskA, { at: '2026-10-31 23:30', answers: perCase([1, 1, 2, 2, 2, 1, 2, 2, 1]) }); // 14
    staffAssigns(kioskA, PER_CASE_PROCEDURE, 'HS-A4');
    // 00:30 on 1 November in Vietnam is 17:30 UTC on 31 October: November.
    respond(kioskA, { at: '2026-11-01 00:30', answers: perCase([2, 2, 2, 2, 2, 2, 2, 2, 2]) }); // 18
    staffAssigns(kioskA, PER_CASE_PROCEDURE, 'HS-A5');
    respond(kioskA, { at: '2026-11-10 10:00', answers: perCase([0, 1, 2, 1, 2, 2, 1, 2, 2]) }); // 13
    staffAssigns(kioskA, PER_CASE_PROCEDURE, 'HS-A6');
    // Walks away after the first indicator: counted as abandoned, the answer is in no figure.
    respond(kioskA, { at: '2026-11-10 10:30', answers: { 'tong-thoi-gian': 0 }, status: 'abandoned' });
    staffAssigns(kioskA, QUICK_PROCEDURE, null);
    expect(
      respond(kioskA, {
        at: '2026-11-12 08:00',
        answers: { overall: 2, attitude: 3, time: 1, problems: ['cho-lau', 'tre-hen'] },
      }),
    ).toEqual({ rapidRepeat: false, clockSuspect: false });
    // Ten seconds after the last completion (the kiosk's minimum is 20 s): a rapid repeat, flagged.
    expect(
      respond(kioskA, {
        at: '2026-11-12 08:00:10',
        seconds: 8,
        answers: { overall: 1, attitude: 1, time: 1, problems: ['thai-do'] },
      }),
    ).toEqual({ rapidRepeat: true, clockSuspect: false });

    // xã B -------------------------------------------------------------------------------------------
    staffAssigns(kioskB, PER_CASE_PROCEDURE, 'HS-B1');
    respond(kioskB, { at: '2026-10-08 09:00', answers: perCase([1, 1, 1, 1, 1, 1, 1, 1, 1]) }); // 9
    // A case of its own, as the figures below say: the kiosk refuses a second evaluation of HS-B1.
    staffAssigns(kioskB, PER_CASE_PROCEDURE, 'HS-B2');
    respond(kioskB, { at: '2026-10-15 15:00', answers: perCase([2, 2, 1, 1, 2, 2, 2, 1, 2]) }); // 15
    staffAssigns(kioskB, QUICK_PROCEDURE, null);
    respond(kioskB, { at: '2026-10-16 10:00', answers: { overall: 4 }, status: 'abandoned' });
    respond(kioskB, { at: '2026-10-22 09:00', answers: { overall: 1, attitude: 2, time: 2, problems: ['cho-lau'] } });
    staffAssigns(kioskB, PER_CASE_PROCEDURE, 'HS-B3');
    respond(kioskB, { at: '2026-11-05 09:00', answers: perCase([2, 2, 2, 2, 2, 2, 2, 2, 1]) }); // 17
    staffAssigns(kioskB, QUICK_PROCEDURE, null);
    respond(kioskB, { at: '2026-11-20 09:00', answers: { overall: 4, attitude: 5, time: 2 } });

    // xã B's offline counter: one October evaluation that stays on the kiosk.
    staffAssigns(kioskC, PER_CASE_PROCEDURE, 'HS-C1');
    respond(kioskC, { at: '2026-10-28 10:00', answers: perCase([0, 0, 1, 1, 0, 2, 1, 0, 1]) }); // 6

    // The two online kiosks sync with their real engines.
    for (const k of [kioskA, kioskB]) {
      const engine = testEngine(k);
      expect(await engine.runOnce()).toMatchObject({ ok: true, conflicts: 0, queueDepth: 0 });
      await engine.stop();
    }

    const ctlReport = async (kind: string, ...more: string[]): Promise<ReportResult> => {
      const by = more.filter((m) => !m.startsWith('--')).join(',');
      const flags = more.filter((m) => m.startsWith('--'));
      const args = ['--from', '2026-10-01', '--to', '2026-11-30', '--unit', 'tinh-test', '--with-subunits'];
      const r = await ctl('report', kind, ...args, '--by', by, ...flags, '--format', 'json');
      return JSON.parse(r.stdout) as ReportResult;
    };
    const perCaseReport = async (...by: string[]): Promise<PerCaseReport> => {
      const r = await ctlReport('per-case', ...by);
      if (r.report !== 'per-case') throw new Error(`asked for per-case, got ${r.report}`);
      return r;
    };
    const quickReport = async (...by: string[]): Promise<QuickReport> => {
      const r = await ctlReport('quick', ...by);
      if (r.report !== 'quick') throw new Error(`asked for quick, got ${r.report}`);
      return r;
    };

    // The figures, computed by hand ---------------------------------------------------------------------
    const perUnit = await perCaseReport('unit');
    expect(perUnit.filters).toMatchObject({ unit: 'tinh-test', withSubunits: true, by: ['unit'] });
    expect(perUnit.filters.units).toEqual(['tinh-test', 'xa-a', 'xa-b']);
    // Per-case responses: xã A 5 complete + 1 abandoned, xã B 3 complete: 8 / (8 + 1) = 88.9 %.
    expect(perUnit.totals).toEqual({
      n: 8,
      complete: 8,
      abandoned: 1,
      completionPercent: (8 / 9) * 100,
      flagged: 0,
      flaggedIncluded: false,
    });
    // The province itself has no kiosk and has its communes in the selection: it gets no group (an empty
    // row and bar beside its communes' figures would read as "the province scored nothing"); the communes
    // are the groups.
    expect(perUnit.groups.map((g) => g.key.unit)).toEqual(['xa-a', 'xa-b']);
    const [perCaseA, perCaseB] = groupsOf(perUnit, ['xa-a'], ['xa-b']);
    // xã A, five evaluations (points of indicators 1..9):
    //   HS-A1 2 2 2 2 2 2 2 2 2 = 18 | HS-A2 2 1 2 2 1 2 2 2 2 = 16 | HS-A3 1 1 2 2 2 1 2 2 1 = 14
    //   HS-A4 2 2 2 2 2 2 2 2 2 = 18 | HS-A5 0 1 2 1 2 2 1 2 2 = 13 (HS-A6 abandoned: not counted)
    //   indicator 1: 2,2,1,2,0 -> 0 pts ×1, 1 pt ×1, 2 pts ×3, mean 7/5 = 1.4
    //   indicator 2: 2,1,1,2,1 -> ×0, ×3, ×2, mean 7/5 = 1.4;  indicator 3: all 2 -> mean 2
    //   indicators 4, 5, 6, 7, 9: one 1 and four 2s -> mean 9/5 = 1.8;  indicator 8: all 2 -> mean 2
    //   total = 1.4 + 1.4 + 2 + 1.8 + 1.8 + 1.8 + 1.8 + 2 + 1.8 = 15.8 (= (18+16+14+18+13)/5 = 79/5)
    //   band: 15.8 is at least 12 and under 16 -> "Tốt"; completion 5 / (5 + 1) = 83.3 %.
    expectPerCase(perCaseA, {
      n: 5,
      abandoned: 1,
      completion: (5 / 6) * 100,
      indicators: [
        [1, 1, 3, 7 / 5],
        [0, 3, 2, 7 / 5],
        [0, 0, 5, 2],
        [0, 1, 4, 9 / 5],
        [0, 1, 4, 9 / 5],
        [0, 1, 4, 9 / 5],
        [0, 1, 4, 9 / 5],
        [0, 0, 5, 2],
        [0, 1, 4, 9 / 5],
      ],
      total: 15.8,
      band: 'Tốt',
    });
    // xã B, three evaluations: HS-B1 all 1 = 9 | HS-B2 2 2 1 1 2 2 2 1 2 = 15 | HS-B3 2 2 2 2 2 2 2 2 1 = 17
    //   indicators 1, 2, 5, 6, 7: 1, 2, 2 -> one 1 and two 2s, mean 5/3
    //   indicators 3, 4, 8, 9: two 1s and one 2, mean 4/3
    //   total = 5 × 5/3 + 4 × 4/3 = 41/3 = 13.67 (= (9+15+17)/3) -> "Tốt"; completion 3/3 = 100 %.
    const fiveThirds: Row = [0, 1, 2, 5 / 3];
    const fourThirds: Row = [0, 2, 1, 4 / 3];
    expectPerCase(perCaseB, {
      n: 3,
      abandoned: 0,
      completion: 100,
      indicators: [
        fiveThirds,
        fiveThirds,
        fourThirds,
        fourThirds,
        fiveThirds,
        fiveThirds,
        fiveThirds,
        fourThirds,
        fourThirds,
      ],
      total: 41 / 3,
      band: 'Tốt',
    });
    // Shares are percentages of valid answers: xã A's indicator 1 is 1, 1, 3 of 5 = 20 %, 20 %, 60 %.
    expect(perCaseA!.indicators[0]!.shares).toEqual({ 0: 20, 1: 20, 2: 60 });
    // Ranking of the communes: 15.8 > 13.7, so xã A is first and xã B second.
    expect([perCaseA!.rank, perCaseB!.rank]).toEqual([1, 2]);

    const perMonth = await perCaseReport('unit', 'month');
    expect(perMonth.groups.map((g) => g.key)).toEqual([
      { unit: 'xa-a', month: '2026-10' },
      { unit: 'xa-a', month: '2026-11' },
      { unit: 'xa-b', month: '2026-10' },
      { unit: 'xa-b', month: '2026-11' },
    ]);
    // centralctl as IT runs it, in its own process on the same data, prints the same report.
    const asProcess = await centralctlProcess([
      'report',
      'per-case',
      ...['--from', '2026-10-01', '--to', '2026-11-30', '--unit', 'tinh-test', '--with-subunits'],
      ...['--by', 'unit', '--by', 'month', '--format', 'json'],
    ]);
    expect(asProcess).toMatchObject({ code: 0, stderr: '' });
    expect(withoutTime(JSON.parse(asProcess.stdout) as ReportResult)).toEqual(withoutTime(perMonth));
    const [aOct, aNov, bOct, bNov] = groupsOf(
      perMonth,
      ['xa-a', '2026-10'],
      ['xa-a', '2026-11'],
      ['xa-b', '2026-10'],
      ['xa-b', '2026-11'],
    );
    // xã A, October: HS-A1 18, HS-A2 16 and HS-A3 (23:30 on 31 October, Vietnam time) 14.
    //   indicator 1: 2,2,1 -> 5/3; 2: 2,1,1 -> 4/3; 3, 4, 7, 8: 2,2,2 -> 2; 5: 2,1,2 -> 5/3; 6: 2,2,1 -> 5/3;
    //   9: 2,2,1 -> 5/3. Total = 4 × 5/3 + 4/3 + 4 × 2 = 16 (= 48/3), which in floating point is 15.999…98:
    //   the band is read on the total shown at one decimal, 16.0, so "Xuất sắc" (from 16).
    expectPerCase(aOct, {
      n: 3,
      abandoned: 0,
      completion: 100,
      indicators: [
        [0, 1, 2, 5 / 3],
        [0, 2, 1, 4 / 3],
        [0, 0, 3, 2],
        [0, 0, 3, 2],
        [0, 1, 2, 5 / 3],
        [0, 1, 2, 5 / 3],
        [0, 0, 3, 2],
        [0, 0, 3, 2],
        [0, 1, 2, 5 / 3],
      ],
      total: 16,
      band: 'Xuất sắc',
    });
    // xã A, November: HS-A4 (00:30 on 1 November, Vietnam time) 18 and HS-A5 13; HS-A6 abandoned.
    //   indicator 1: 2,0 -> 1; 2: 2,1 -> 1.5; 4: 2,1 -> 1.5; 7: 2,1 -> 1.5; the others 2,2 -> 2.
    //   Total = 1 + 1.5 × 3 + 2 × 5 = 15.5 (= (18+13)/2) -> "Tốt"; completion 2 / 3 = 66.7 %.
    expectPerCase(aNov, {
      n: 2,
      abandoned: 1,
      completion: (2 / 3) * 100,
      indicators: [
        [1, 0, 1, 1],
        [0, 1, 1, 1.5],
        [0, 0, 2, 2],
        [0, 1, 1, 1.5],
        [0, 0, 2, 2],
        [0, 0, 2, 2],
        [0, 1, 1, 1.5],
        [0, 0, 2, 2],
        [0, 0, 2, 2],
      ],
      total: 15.5,
      band: 'Tốt',
    });
    // xã B, October: HS-B1 (all 1) and HS-B2: indicators 3, 4, 8: 1,1 -> 1; the others 1,2 -> 1.5.
    //   Total = 3 × 1 + 6 × 1.5 = 12 (= (9+15)/2) -> "Tốt" (from 12).
    expectPerCase(bOct, {
      n: 2,
      abandoned: 0,
      completion: 100,
      indicators: [
        [0, 1, 1, 1.5],
        [0, 1, 1, 1.5],
        [0, 2, 0, 1],
        [0, 2, 0, 1],
        [0, 1, 1, 1.5],
        [0, 1, 1, 1.5],
        [0, 1, 1, 1.5],
        [0, 2, 0, 1],
        [0, 1, 1, 1.5],
      ],
      total: 12,
      band: 'Tốt',
    });
    // xã B, November: HS-B3 alone, 17 -> "Xuất sắc".
    expect(bNov).toMatchObject({ n: 1, total: 17, band: { label: { vi: 'Xuất sắc' } } });
    // Only a ranking by unit (or officer) alone ranks groups.
    expect(perMonth.groups.every((g) => !('rank' in g))).toBe(true);

    // The quick questionnaire. Satisfied: 4 or 5 of five levels, 2 or 3 of three (the settings' defaults).
    const quick = await quickReport('unit');
    // xã A: 12 Oct (overall 5, attitude 4, time 3) and 12 Nov 08:00 (2, 3, 1; reasons cho-lau, tre-hen);
    //   the one ten seconds later is a rapid repeat: flagged, counted apart, in no figure.
    // xã B: 22 Oct (1, 2, 2; reason cho-lau) and 20 Nov (4, 5, 2); the 16 Oct one walked away after
    //   answering 4: abandoned, its answer in no figure. Completion 2 / 3 = 66.7 %.
    // Totals: 4 complete, 1 abandoned: 4 / 5 = 80 %; 1 flagged.
    expect(quick.totals).toEqual({
      n: 4,
      complete: 4,
      abandoned: 1,
      completionPercent: 80,
      flagged: 1,
      flaggedIncluded: false,
    });
    const [quickA, quickB] = groupsOf(quick, ['xa-a'], ['xa-b']);
    expect(quickA).toMatchObject({
      n: 2,
      abandoned: 0,
      completionPercent: 100,
      flagged: 1,
      questions: {
        // overall 5 and 2: mean 3.5, one of two satisfied = 50 %
        overall: { counts: { 5: 1, 2: 1 }, valid: 2, mean: 3.5, satisfiedPercent: 50 },
        // attitude 4 and 3: mean 3.5, 50 %
        attitude: { counts: { 4: 1, 3: 1 }, valid: 2, mean: 3.5, satisfiedPercent: 50 },
        // time (three levels) 3 and 1: mean 2, 50 %
        time: { counts: { 3: 1, 1: 1 }, valid: 2, mean: 2, satisfiedPercent: 50 },
        // One respondent chose two reasons: a multiple choice's "valid" counts choices (docs/reports.md).
        problems: { counts: { 'cho-lau': 1, 'tre-hen': 1 }, valid: 2, mean: null },
      },
      satisfied: { overall: 50, attitude: 50, time: 50 },
      reasons: { problems: { 'cho-lau': 1, 'tre-hen': 1 } },
    });
    expect(quickB).toMatchObject({
      n: 2,
      abandoned: 1,
      completionPercent: (2 / 3) * 100,
      flagged: 0,
      questions: {
        // overall 1 and 4 (the abandoned 4 is not counted): mean 2.5, 50 %
        overall: { counts: { 1: 1, 4: 1 }, valid: 2, mean: 2.5, satisfiedPercent: 50 },
        attitude: { counts: { 2: 1, 5: 1 }, valid: 2, mean: 3.5, satisfiedPercent: 50 },
        // time 2 and 2: both satisfied on three levels, 100 %
        time: { counts: { 2: 2 }, valid: 2, mean: 2, satisfiedPercent: 100 },
      },
      satisfied: { overall: 50, attitude: 50, time: 100 },
      reasons: { problems: { 'cho-lau': 1 } },
    });
    const quickMonth = await quickReport('unit', 'month');
    // By month: xã A October 100 % satisfied on all three; November 0 % (its flagged repeat still apart).
    expect(quickMonth.groups.map((g) => [g.key.unit, g.key.month, g.n, g.abandoned, g.flagged, g.satisfied])).toEqual([
      ['xa-a', '2026-10', 1, 0, 0, { overall: 100, attitude: 100, time: 100 }],
      ['xa-a', '2026-11', 1, 0, 1, { overall: 0, attitude: 0, time: 0 }],
      ['xa-b', '2026-10', 1, 1, 0, { overall: 0, attitude: 0, time: 100 }],
      ['xa-b', '2026-11', 1, 0, 0, { overall: 100, attitude: 100, time: 100 }],
    ]);
    // The switch puts the flagged repeat back in: xã A November then has 2 responses.
    const withFlagged = await quickReport('unit', 'month', '--include-flagged');
    expect(withFlagged.groups[1]).toMatchObject({ n: 2, flagged: 1, flaggedIncluded: true });

    // The console shows the same figures ----------------------------------------------------------------
    const passwordFile = join(scratch('story-pw-'), 'pw');
    writeFileSync(passwordFile, `${TEST_PASSWORD}\n`);
    await ctl('create-admin', 'lanh-dao-tinh', '--role', 'province-admin', '--password-file', passwordFile);
    await ctl('create-admin', 'xem-xa-a', '--role', 'unit-viewer', '--unit', 'xa-a', '--password-file', passwordFile);
    const leader = new ConsoleClient(central.url);
    expect((await leader.login('lanh-dao-tinh')).status).toBe(303);
    const exportPath = (format: string, report: string, by: string, unit = 'tinh-test') =>
      `/reports/export?format=${format}&report=${report}&from=2026-10-01&to=2026-11-30&unit=${unit}` +
      `${unit === 'tinh-test' ? '&withSubunits=1' : ''}&by=${by}`;
    const consoleJson = async (client: ConsoleClient, report: string, by: string, unit?: string) => {
      const page = await client.get(exportPath('json', report, by, unit));
      expect(page.status).toBe(200);
      return JSON.parse(page.text) as ReportResult;
    };
    // The whole JSON is the same as centralctl's but for the moment it was made.
    for (const [kind, by, fromCtl] of [
      ['per-case', 'unit', perUnit],
      ['per-case', 'unit,month', perMonth],
      ['quick', 'unit', quick],
    ] as const)
      expect(withoutTime(await consoleJson(leader, kind, by))).toEqual(withoutTime(fromCtl));
    // The CSV a leader opens in Excel: UTF-8 with a BOM, figures shown at one decimal.
    const csv = await download(leader, exportPath('csv', 'per-case', 'unit'));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8').split('\r\n');
    // Unit, N, complete, abandoned, completion %, flagged, indicators 1..9, total, max, band, rank: xã B's
    // 5/3 shows as 1.7, 4/3 as 1.3 and 41/3 as 13.7.
    expect(lines).toContain('Xã A (xa-a),5,5,1,83.3,0,1.4,1.4,2.0,1.8,1.8,1.8,1.8,2.0,1.8,15.8,18,Tốt,1');
    expect(lines).toContain('Xã B (xa-b),3,3,0,100.0,0,1.7,1.7,1.3,1.3,1.7,1.7,1.7,1.3,1.3,13.7,18,Tốt,2');
    // Indicator 1 of xã A: 5 valid; 1 at 0 points (20 %), 1 at 1 (20 %), 3 at 2 (60 %); mean 1.4.
    expect(lines).toContain('Xã A (xa-a),Chỉ số 1,tong-thoi-gian,Từ phiếu đánh giá,5,1,20.0,1,20.0,3,60.0,1.4');

    // A late batch ---------------------------------------------------------------------------------------
    // On 25 November IT copies the offline counter's unsent responses to a USB stick and uploads the file
    // through the console's upload page.
    kioskC.clock.advance(vn('2026-11-25 09:00') - kioskC.clock.now());
    const usb = scratch('story-usb-');
    const exported = await exportBatches({
      db: kioskC.db,
      deviceId: kioskC.deviceId,
      dataDir: kioskC.dataDir,
      outDir: usb,
      now: kioskC.clock.now,
    });
    expect(exported).toMatchObject({ ok: true, responses: 1 });
    await leader.get('/uploads');
    const file = exported.files[0]!.file;
    const uploaded = await leader.uploadFile(basename(file), readFileSync(file));
    expect(uploaded).toMatchObject({ status: 200, body: { result: { status: 'new', inserted: 1 } } });

    const perMonthLate = await perCaseReport('unit', 'month');
    const [bOctLate] = groupsOf(perMonthLate, ['xa-b', '2026-10']);
    // xã B, October, now HS-B1 (all 1), HS-B2 (2 2 1 1 2 2 2 1 2) and HS-C1 (0 0 1 1 0 2 1 0 1):
    //   indicators 1, 2, 5: 1, 2, 0 -> one each at 0, 1, 2: mean 1;  3, 4: 1, 1, 1 -> mean 1
    //   indicator 6: 1, 2, 2 -> 5/3;  7 and 9: 1, 2, 1 -> 4/3;  8: 1, 1, 0 -> 2/3
    //   total = 5 × 1 + 5/3 + 4/3 + 2/3 + 4/3 = 10 (= (9+15+6)/3) -> "Khá" (from 9, under 12).
    expectPerCase(bOctLate, {
      n: 3,
      abandoned: 0,
      completion: 100,
      indicators: [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [0, 3, 0, 1],
        [0, 3, 0, 1],
        [1, 1, 1, 1],
        [0, 1, 2, 5 / 3],
        [0, 2, 1, 4 / 3],
        [1, 2, 0, 2 / 3],
        [0, 2, 1, 4 / 3],
      ],
      total: 10,
      band: 'Khá',
    });
    // Totals: one more complete evaluation, 9 / (9 + 1) = 90 %.
    const totalsLate = { ...perMonth.totals, n: 9, complete: 9, completionPercent: 90 };
    expect(perMonthLate.totals).toEqual(totalsLate);
    // Nothing else moved: November, xã A, the notes, the filters are exactly as before.
    expect(withoutTime(perMonthLate)).toEqual(
      withoutTime({
        ...perMonth,
        totals: totalsLate,
        groups: perMonth.groups.map((g) => (g === bOct ? bOctLate! : g)),
      }),
    );
    // By unit: xã B is now (9 + 15 + 17 + 6) / 4 = 47/4 = 11.75, shown 11.8 -> "Khá"; still second.
    const perUnitLate = await perCaseReport('unit');
    const [perCaseBLate] = groupsOf(perUnitLate, ['xa-b']);
    expect(perCaseBLate).toMatchObject({ n: 4, rank: 2, band: { label: { vi: 'Khá' } } });
    expect(perCaseBLate!.total).toBeCloseTo(47 / 4, 10);
    expect(withoutTime(perUnitLate)).toEqual(
      withoutTime({
        ...perUnit,
        totals: totalsLate,
        groups: perUnit.groups.map((g) => (g === perCaseB ? perCaseBLate! : g)),
      }),
    );
    // The quick report had nothing late: unchanged. The console shows the new figures at once.
    expect(withoutTime(await quickReport('unit'))).toEqual(withoutTime(quick));
    expect(withoutTime(await consoleJson(leader, 'per-case', 'unit,month'))).toEqual(withoutTime(perMonthLate));

    // A unit viewer ---------------------------------------------------------------------------------------
    // xã A's viewer reads xã A's figures, the same as the province sees for xã A.
    const viewer = new ConsoleClient(central.url);
    expect((await viewer.login('xem-xa-a')).status).toBe(303);
    const ownMonths = await consoleJson(viewer, 'per-case', 'month', 'xa-a');
    expect(ownMonths.filters.units).toEqual(['xa-a']);
    const figuresOf = (r: ReportResult) =>
      r.report === 'per-case' ? r.groups.map((g) => [g.key.month, g.n, g.indicators, g.total, g.band]) : [];
    expect(figuresOf(ownMonths)).toEqual(figuresOf({ ...perMonthLate, groups: [aOct!, aNov!] }));
    // ... and cannot reach xã B's, nor the province's, by changing the URL: 404, as for a unit that does not exist.
    expect((await viewer.get(exportPath('json', 'per-case', 'month', 'xa-b'))).status).toBe(404);
    expect((await viewer.get(exportPath('csv', 'per-case', 'unit', 'tinh-test'))).status).toBe(404);
    expect((await viewer.get(exportPath('json', 'per-case', 'month', 'xa-khong-co'))).status).toBe(404);

    // A unit-level indicator ----------------------------------------------------------------------------
    // The province verifies xã A's indicator 9 for the fourth quarter at 1 point. In a group that is one unit
    // it replaces the mean of the cases (1.8) and the report says where it came from; a group split by
    // procedure would not describe the unit and keeps the cases' figure.
    await ctl('unit-indicator-set', '--unit', 'xa-a', '--quarter', '2026-Q4', '--indicator', '9', '--verified', '1');
    const withEntry = await perCaseReport('unit');
    const [entryA, entryB] = groupsOf(withEntry, ['xa-a'], ['xa-b']);
    expect(entryA!.indicators[8]).toMatchObject({ indicator: 9, mean: 1, source: 'unit-verified' });
    // xã A: 15.8 - 1.8 + 1 = 15.0 -> still "Tốt", still first (xã B 11.75).
    expect(entryA!.total).toBeCloseTo(15, 10);
    expect(entryA).toMatchObject({ rank: 1, band: { label: { vi: 'Tốt' } } });
    expect(entryB).toEqual(perCaseBLate);
    expect(withEntry.notes.map((n) => n['en'])).toContain(
      'Unit "xa-a", indicator 9: from its verified entries (2026-Q4).',
    );
    expect(withEntry.notes.map((n) => n['vi'])).toContain(
      'Đơn vị "xa-a", chỉ số 9: lấy từ điểm đã thẩm định do đơn vị nhập (quý 4/2026).',
    );
    // By month, both months are in the fourth quarter: October 16 - 5/3 + 1 = 46/3 = 15.3, "Tốt" now
    // (it was "Xuất sắc"); November 15.5 - 2 + 1 = 14.5.
    const monthsWithEntry = await perCaseReport('unit', 'month');
    const [aOctEntry, aNovEntry] = groupsOf(monthsWithEntry, ['xa-a', '2026-10'], ['xa-a', '2026-11']);
    expect(aOctEntry!.total).toBeCloseTo(46 / 3, 10);
    expect(aOctEntry!.band?.label.vi).toBe('Tốt');
    expect(aNovEntry!.total).toBeCloseTo(14.5, 10);
    const byProcedure = await perCaseReport('unit', 'procedure');
    const aProcedure = byProcedure.groups.find((g) => g.key.unit === 'xa-a' && g.key.procedure === PER_CASE_PROCEDURE);
    expect(aProcedure?.indicators[8]).toMatchObject({ indicator: 9, mean: 9 / 5, source: 'cases' });
  }, 120_000);
});
