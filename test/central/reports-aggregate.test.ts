import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DailyCount,
  aggregateResponse,
  countsOf,
  factOf,
  monthOf,
  placeKey,
  repeatCaseLosers,
  responseScore,
  sumDaily,
  sumMonthly,
  vietnamDay,
} from '../../central/reports/aggregate.ts';
import { foldText } from '../../shared/reports/fold.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { defaultQuestionnaire } from '../shared/config-fixtures.ts';

const quick = defaultQuestionnaire('quick');
const perCase = defaultQuestionnaire('per-case-v1');
const place = { deviceId: 'dev-1', responseId: '01900000-0000-7000-8000-000000000001', unitId: 'xa-a' };

/** A complete quick response submitted at this instant (UTC). */
const response = (submittedAt: string, more: Partial<StoredResponse> = {}): StoredResponse => ({
  id: '01900000-0000-7000-8000-000000000001',
  deviceId: 'dev-1',
  seq: 1,
  questionnaireId: 'quick',
  questionnaireVersion: 1,
  procedureCode: '1.001193',
  fieldCode: 'ho-tich',
  caseNumber: null,
  officerId: null,
  counterId: null,
  locale: 'vi',
  status: 'complete',
  startedAt: submittedAt,
  submittedAt,
  durationMs: 30_000,
  answers: { overall: 5, attitude: 4, time: 3 },
  flags: { rapidRepeat: false, clockSuspect: false },
  ...more,
});

/** Count rows as [question, value, n] triples, in the order the function gives them. */
const triples = (rows: DailyCount[]) => rows.map((r) => [r.question_id, r.value, r.n]);

describe('foldText: search without diacritics', () => {
  it.each([
    ['Thái độ phục vụ rất tốt', 'thai do phuc vu rat tot'],
    ['ĐẶNG Văn Được', 'dang van duoc'],
    ['Chờ lâu quá, hướng dẫn chưa rõ', 'cho lau qua, huong dan chua ro'],
    ['ăâêôơư ĂÂÊÔƠƯ', 'aaeoou aaeoou'],
    ['Ðã xong', 'da xong'], // U+00D0 (eth) as legacy TCVN3/VNI converters write Đ
    ['plain ASCII 123', 'plain ascii 123'],
    ['', ''],
  ])('%s → %s', (text, folded) => {
    expect(foldText(text)).toBe(folded);
  });

  it('NFC and NFD input fold alike ("ệ" precomposed, or e + two combining marks)', () => {
    const nfc = 'Bệnh viện'.normalize('NFC');
    const nfd = 'Bệnh viện'.normalize('NFD');
    expect(nfc).not.toBe(nfd);
    expect(foldText(nfd)).toBe(foldText(nfc));
    expect(foldText(nfd)).toBe('benh vien');
  });
});

describe('the day and month of a response (Asia/Ho_Chi_Minh, UTC+7)', () => {
  it('UTC 16:59:59 on the 31st is still the 31st in Vietnam; UTC 17:00 is the next day, month and year', () => {
    expect(vietnamDay('2026-12-31T16:59:59.999Z')).toBe('2026-12-31');
    expect(vietnamDay('2026-12-31T17:00:00.000Z')).toBe('2027-01-01');
    expect(vietnamDay('2026-10-31T17:00:00Z')).toBe('2026-11-01');
    expect(monthOf(vietnamDay('2026-10-31T17:00:00Z'))).toBe('2026-11-01');
    expect(monthOf(vietnamDay('2026-10-31T16:00:00Z'))).toBe('2026-10-01');
  });

  it('the day remembered per UTC hour is always the day the instant itself gives (any minute, precision or offset form)', () => {
    const direct = (iso: string) => new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 10);
    const instant = fc.date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2035-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    const forms = fc.oneof(
      instant.map((d) => d.toISOString()),
      instant.map((d) => d.toISOString().replace(/\.\d+Z$/, 'Z')),
      instant.map((d) => d.toISOString().slice(0, 16) + 'Z'),
      instant.map((d) => d.toISOString().replace('Z', '+00:00')),
      // The same instant written in Vietnam's offset: not the UTC form, so parsed, never remembered.
      instant.map((d) => new Date(d.getTime() + 7 * 3_600_000).toISOString().replace('Z', '+07:00')),
    );
    fc.assert(
      fc.property(fc.array(forms, { minLength: 1, maxLength: 50 }), (isos) => {
        // Each twice: the second answer comes from what the first one remembered.
        for (const iso of [...isos, ...isos]) expect(vietnamDay(iso)).toBe(direct(iso));
      }),
    );
    expect(() => vietnamDay('2026-11-03T04:99Z')).toThrow(/not a timestamp/);
  });

  it('a late response lands on the day it was submitted, whenever it arrives', () => {
    const late = response('2026-09-14T03:00:00.000Z');
    const rows = sumMonthly(countsOf(late, place, quick));
    expect(factOf(late, place, quick).day).toBe('2026-09-14');
    expect(new Set(rows.map((r) => r.month))).toEqual(new Set(['2026-09-01']));
  });

  it('report_daily and report_monthly both move to the next day and month at UTC 17:00', () => {
    const r = response('2026-10-31T17:00:00.000Z');
    expect(new Set(countsOf(r, place, quick).map((c) => c.day))).toEqual(new Set(['2026-11-01']));
    expect(new Set(sumMonthly(countsOf(r, place, quick)).map((c) => c.month))).toEqual(new Set(['2026-11-01']));
  });
});

describe('count rows of one response', () => {
  it('a complete response: its _status row and one row per answer, value as text', () => {
    expect(triples(countsOf(response('2026-11-22T02:00:00Z'), place, quick))).toEqual([
      ['_status', 'complete', 1],
      ['overall', '5', 1],
      ['attitude', '4', 1],
      ['time', '3', 1],
    ]);
  });

  it('an abandoned response counts only its _status row, whatever it answered', () => {
    const r = response('2026-11-22T02:00:00Z', { status: 'abandoned', answers: { overall: 1, problems: ['cho-lau'] } });
    expect(triples(countsOf(r, place, quick))).toEqual([['_status', 'abandoned', 1]]);
    expect(factOf(r, place, quick)).toMatchObject({ complete: false, score: 0 });
  });

  it('multi: one row per option chosen; text answers are never counted (they go to the comment)', () => {
    const r = response('2026-11-22T02:00:00Z', {
      answers: { overall: 2, attitude: 1, time: 1, problems: ['cho-lau', 'thai-do'], comment: 'Chờ lâu quá' },
    });
    expect(triples(countsOf(r, place, quick))).toEqual([
      ['_status', 'complete', 1],
      ['overall', '2', 1],
      ['attitude', '1', 1],
      ['time', '1', 1],
      ['problems', 'cho-lau', 1],
      ['problems', 'thai-do', 1],
    ]);
    expect(factOf(r, place, quick)).toMatchObject({ comment: 'Chờ lâu quá', comment_folded: 'cho lau qua' });
  });

  it('yes/no answers count as "true"/"false"', () => {
    const yesno = {
      ...quick,
      questions: [{ id: 'ok', type: 'yesno' as const, text: { vi: 'Được?' }, required: true }],
    };
    const r = response('2026-11-22T02:00:00Z', { answers: { ok: false } });
    expect(triples(countsOf(r, place, yesno))).toEqual([
      ['_status', 'complete', 1],
      ['ok', 'false', 1],
    ]);
  });

  it('a questionnaire found nowhere: kind custom, counted as a response, none of its answers', () => {
    const r = response('2026-11-22T02:00:00Z');
    expect(triples(countsOf(r, place, undefined))).toEqual([['_status', 'complete', 1]]);
    expect(factOf(r, place, undefined)).toMatchObject({ kind: 'custom', score: null, comment: null });
  });

  it('flagged responses (rapid repeat or clock suspect) are kept apart by the flagged column', () => {
    const plain = response('2026-11-22T02:00:00Z');
    const rapid = response('2026-11-22T02:01:00Z', { flags: { rapidRepeat: true, clockSuspect: false } });
    const clock = response('2026-11-22T02:02:00Z', { flags: { rapidRepeat: false, clockSuspect: true } });
    const rows = sumDaily([plain, rapid, clock].flatMap((r) => countsOf(r, place, quick)));
    const status = rows.filter((r) => r.question_id === '_status').map((r) => [r.flagged, r.n]);
    expect(status).toEqual([
      [false, 1],
      [true, 2],
    ]);
    expect(factOf(clock, place, quick).flagged).toBe(true);
    expect(factOf(plain, place, quick).flagged).toBe(false);
  });
});

describe('the fact row', () => {
  it('carries the dimensions, officer and counter as "" when none', () => {
    const r = response('2026-11-22T02:00:00.000Z', { caseNumber: 'H01.2026-0001', counterId: 'quay-2' });
    expect(factOf(r, place, quick)).toEqual({
      device_id: 'dev-1',
      response_id: place.responseId,
      unit_id: 'xa-a',
      day: '2026-11-22',
      submitted_at: '2026-11-22T02:00:00.000Z',
      questionnaire_id: 'quick',
      version: 1,
      kind: 'quick',
      field_code: 'ho-tich',
      procedure_code: '1.001193',
      officer_id: '',
      counter_id: 'quay-2',
      case_number: 'H01.2026-0001',
      complete: true,
      flagged: false,
      // (5-1)/4, (4-1)/4, (3-1)/2 → (1 + 0.75 + 1) / 3
      score: 2.75 / 3,
      comment: null,
      comment_folded: null,
    });
  });

  it('a per-case evaluation scores its points over the points of the indicators answered (14/18)', () => {
    const ids = perCase.questions.filter((q) => q.type === 'indicator').map((q) => q.id);
    const answers = Object.fromEntries(ids.map((id, i) => [id, i < 5 ? 2 : 1]));
    expect(responseScore(perCase, answers)).toBeCloseTo(14 / 18, 12);
    expect(responseScore(perCase, { [ids[0]!]: 0 })).toBe(0);
    expect(responseScore(perCase, {})).toBeNull();
  });

  it('two comments are joined by a blank line, in the questionnaire order', () => {
    const twoTexts = {
      ...quick,
      questions: [
        { id: 'a', type: 'text' as const, text: { vi: 'A' }, required: false, maxLength: 500 },
        { id: 'b', type: 'text' as const, text: { vi: 'B' }, required: false, maxLength: 500 },
      ],
    };
    const r = response('2026-11-22T02:00:00Z', { answers: { b: 'Sau', a: 'Trước' } });
    expect(aggregateResponse(r, place, twoTexts).fact).toMatchObject({
      comment: 'Trước\n\nSau',
      comment_folded: 'truoc\n\nsau',
      score: null,
    });
  });
});

describe('summing count rows', () => {
  const at = (iso: string, more: Partial<StoredResponse> = {}) => countsOf(response(iso, more), place, quick);

  it('daily rows add up per key; monthly rows per month without officer and counter', () => {
    const rows = [
      ...at('2026-11-01T01:00:00Z', { officerId: 'cb-1' }),
      ...at('2026-11-01T02:00:00Z', { officerId: 'cb-2' }),
      ...at('2026-11-02T02:00:00Z', { officerId: 'cb-1', status: 'abandoned', answers: {} }),
      ...at('2026-10-31T18:00:00Z', { officerId: 'cb-1' }), // 01:00 on 1 November in Vietnam
    ];
    const daily = sumDaily(rows);
    const status = (r: { question_id: string }) => r.question_id === '_status';
    expect(daily.filter(status).map((r) => [r.day, r.officer_id, r.value, r.n])).toEqual([
      ['2026-11-01', 'cb-1', 'complete', 2],
      ['2026-11-01', 'cb-2', 'complete', 1],
      ['2026-11-02', 'cb-1', 'abandoned', 1],
    ]);
    const monthly = sumMonthly(rows);
    expect(monthly.filter(status).map((r) => [r.month, r.value, r.n])).toEqual([
      ['2026-11-01', 'abandoned', 1],
      ['2026-11-01', 'complete', 3],
    ]);
    expect(monthly.find((r) => r.question_id === 'overall')).toMatchObject({ value: '5', n: 3 });
    expect(monthly.every((r) => !('officer_id' in r) && !('counter_id' in r) && !('day' in r))).toBe(true);
    // Summing the summed daily rows gives the same months as summing the raw rows.
    expect(sumMonthly(daily)).toEqual(monthly);
  });

  it('summing does not change the rows it was given', () => {
    const rows = at('2026-11-01T01:00:00Z');
    const copy = structuredClone(rows);
    sumDaily([...rows, ...rows]);
    expect(rows).toEqual(copy);
  });
});

describe('repeatCaseLosers: one evaluation per case number per unit', () => {
  const item = (
    deviceId: string,
    responseId: string,
    unitId: string,
    submittedAt: string,
    more: Partial<StoredResponse> = {},
  ) => ({
    response: response(submittedAt, { caseNumber: 'HS-1', ...more }),
    place: { deviceId, responseId, unitId },
  });
  const keys = (...items: ReturnType<typeof item>[]) => new Set(items.map((i) => placeKey(i.place)));

  it('the earliest complete unflagged evaluation of a case in a unit counts; the others lose, another unit is apart', () => {
    const late = item('kiosk-a', '01900000-0000-7000-8000-00000000000a', 'xa-a', '2026-11-10T03:00:00Z');
    const early = item('kiosk-b', '01900000-0000-7000-8000-00000000000b', 'xa-a', '2026-11-10T02:00:00Z');
    const otherUnit = item('kiosk-c', '01900000-0000-7000-8000-00000000000c', 'xa-b', '2026-11-10T04:00:00Z');
    const otherCase = item('kiosk-a', '01900000-0000-7000-8000-00000000000d', 'xa-a', '2026-11-11T03:00:00Z', {
      caseNumber: 'HS-2',
    });
    const noCase = item('kiosk-a', '01900000-0000-7000-8000-00000000000e', 'xa-a', '2026-11-12T03:00:00Z', {
      caseNumber: null,
    });
    expect(repeatCaseLosers([late, early, otherUnit, otherCase, noCase])).toEqual(keys(late));
    // The losing one is counted as flagged.
    expect(aggregateResponse(late.response, late.place, perCase, true).fact.flagged).toBe(true);
    expect(countsOf(late.response, late.place, perCase, true).every((c) => c.flagged)).toBe(true);
  });

  it('abandoned and kiosk-flagged evaluations never count in place of an unflagged one; ties go to the lower device, then response id', () => {
    const at = '2026-11-10T02:00:00Z';
    const abandoned = item('kiosk-a', '01900000-0000-7000-8000-000000000001', 'xa-a', '2026-11-01T00:00:00Z', {
      status: 'abandoned',
    });
    const suspect = item('kiosk-a', '01900000-0000-7000-8000-000000000002', 'xa-a', '2026-11-01T00:00:00Z', {
      flags: { rapidRepeat: false, clockSuspect: true },
    });
    const b2 = item('kiosk-b', '01900000-0000-7000-8000-000000000002', 'xa-a', at);
    const b1 = item('kiosk-b', '01900000-0000-7000-8000-000000000001', 'xa-a', at);
    const c0 = item('kiosk-c', '01900000-0000-7000-8000-000000000000', 'xa-a', at);
    expect(repeatCaseLosers([c0, abandoned, b2, suspect, b1])).toEqual(keys(b2, c0));
  });

  it('the same losers whatever the order the responses come in', () => {
    const Item = fc.record({
      device: fc.constantFrom('kiosk-a', 'kiosk-b', 'kiosk-c'),
      n: fc.nat({ max: 999 }),
      unit: fc.constantFrom('xa-a', 'xa-b'),
      minute: fc.integer({ min: 0, max: 5 }),
      caseNumber: fc.constantFrom(null, 'HS-1', 'HS-2'),
      complete: fc.boolean(),
      flagged: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(Item, { selector: (i) => `${i.device} ${i.n}` }), fc.nat(), (specs, seed) => {
        const items = specs.map((s) =>
          item(
            s.device,
            `01900000-0000-7000-8000-${String(s.n).padStart(12, '0')}`,
            s.unit,
            `2026-11-10T02:0${s.minute}:00Z`,
            {
              caseNumber: s.caseNumber,
              status: s.complete ? 'complete' : 'abandoned',
              flags: { rapidRepeat: s.flagged, clockSuspect: false },
            },
          ),
        );
        // Fisher-Yates with a small generator seeded by the run: any order, reproducible.
        const shuffled = [...items];
        let state = (seed % 2_147_483_646) + 1;
        for (let k = shuffled.length - 1; k > 0; k--) {
          state = (state * 48_271) % 2_147_483_647; // Park–Miller: exact in doubles
          const m = state % (k + 1);
          [shuffled[k], shuffled[m]] = [shuffled[m]!, shuffled[k]!];
        }
        const losers = repeatCaseLosers(items);
        expect(repeatCaseLosers(shuffled)).toEqual(losers);
        expect(repeatCaseLosers([...items].reverse())).toEqual(losers);
        // Each (unit, case) with an eligible evaluation keeps exactly one.
        const eligible = items.filter(
          (i) => i.response.status === 'complete' && i.response.caseNumber !== null && !i.response.flags.rapidRepeat,
        );
        const groups = new Set(eligible.map((i) => `${i.place.unitId} ${i.response.caseNumber}`));
        expect(eligible.length - losers.size).toBe(groups.size);
      }),
    );
  });
});
