import { describe, expect, test } from 'vitest';
import type { Queryable } from '../../central/db/types.ts';
import { CONSOLE_CSP } from '../../central/console/security.ts';
import { translator } from '../../central/console/i18n.ts';
import { PageCache } from '../../central/console/pages/public-report/cache.ts';
import { monthsUpTo, publicPeriod } from '../../central/console/pages/public-report/figures.ts';
import { PUBLIC_PAGE_CACHE_MS } from '../../central/console/pages/public-report/routes.ts';
import { runReport } from '../../central/reports/run-report.ts';
import type { Answers } from '../../shared/answers.ts';
import { roundForDisplay } from '../../shared/reports/formulas.ts';
import { ReportQuery } from '../../shared/reports/query.ts';
import type { QuickGroup } from '../../shared/reports/result.ts';
import { type Backend, type TestCentral, startTestCentral } from '../support/central.ts';
import { type SeedResponse, seedResponses, seedUnits } from '../support/report-seed.ts';
import { forEachBackend } from './backends.ts';
import { INDICATOR_IDS, perCase, quickV1 } from './report-fixture.ts';

/** 10:00 on 4 December 2026 in Vietnam: the page covers 12/2025 … 11/2026 and December so far. */
const START = Date.parse('2026-12-04T03:00:00.000Z');

const SECRET_CASE = 'HS-BIMAT-2026';
const SECRET_OFFICER = 'can-bo-bi-mat';
const SECRET_COUNTER = 'quay-bi-mat-7';
const SECRET_COMMENT = 'Ý kiến riêng tư Zebra';

const points = (p: number[]): Answers => Object.fromEntries(p.map((v, i) => [INDICATOR_IDS[i]!, v]));
const all = (v: number): number[] => Array<number>(9).fill(v);
const PC = { procedure: '1.001193', field: 'ho-tich' };

const perCaseAt = (unit: string, day: string, p: number[], i: number): SeedResponse => ({
  unit,
  questionnaire: perCase,
  submittedAt: `${day}T03:00:00.000Z`,
  ...PC,
  officer: SECRET_OFFICER,
  counter: SECRET_COUNTER,
  caseNumber: `${SECRET_CASE}-${i}`,
  answers: { ...points(p), comment: `${SECRET_COMMENT} ${i}` },
});

const quickAt = (unit: string, day: string, answers: Answers, flagged = false): SeedResponse => ({
  unit,
  questionnaire: quickV1,
  submittedAt: `${day}T03:00:00.000Z`,
  ...PC,
  officer: SECRET_OFFICER,
  counter: SECRET_COUNTER,
  answers: { ...answers, comment: SECRET_COMMENT },
  ...(flagged ? { flags: { rapidRepeat: true } } : {}),
});

/**
 * October 2026, tinh and its commune xa-a (the page counts sub-units):
 *   per-case totals 18, 9, 18, 17, 0 → mean total 62 / 5 = 12.4 (Tốt);
 *   quick: overall 5 4 3 2 5 4 (≥4: 4 of 6), attitude 4 4 4 1 2 5 (4 of 6), time 3 2 1 1 2 – (≥2: 3 of 5)
 *   → 11 satisfied of 17 answers = 64.705…% (the mean of the three shares, 64.4, would differ); a flagged
 *   quick response (all lowest) is left out.
 * November: 2 per-case, 4 quick (under the threshold of 5: "—"). December so far: 5 quick, all satisfied.
 */
const seed = async (db: Queryable): Promise<void> => {
  await seedUnits(db, [
    { id: 'tinh', name: 'Tỉnh Thử Nghiệm', kind: 'province' },
    { id: 'xa-a', name: 'Xã A', parent: 'tinh', kind: 'commune' },
    { id: 'xa-b', name: 'Xã B', parent: 'tinh', kind: 'commune' },
  ]);
  const oct = [all(2), all(1), all(2), [2, 2, 2, 2, 1, 2, 2, 2, 2], all(0)];
  const overall = [5, 4, 3, 2, 5, 4];
  const attitude = [4, 4, 4, 1, 2, 5];
  const time = [3, 2, 1, 1, 2];
  await seedResponses(db, [
    ...oct.map((p, i) => perCaseAt(i % 2 === 0 ? 'tinh' : 'xa-a', `2026-10-${10 + i}`, p, i)),
    ...overall.map((o, i) =>
      quickAt(i % 2 === 0 ? 'xa-a' : 'tinh', `2026-10-${10 + i}`, {
        overall: o,
        attitude: attitude[i]!,
        ...(time[i] === undefined ? {} : { time: time[i] }),
      }),
    ),
    quickAt('xa-a', '2026-10-20', { overall: 1, attitude: 1, time: 1 }, true),
    perCaseAt('xa-a', '2026-11-03', all(2), 10),
    perCaseAt('xa-a', '2026-11-04', all(2), 11),
    ...[1, 2, 3, 4].map((d) => quickAt('xa-a', `2026-11-0${d}`, { overall: 5, attitude: 5, time: 3 })),
    ...[1, 2, 3, 3, 4].map((d) => quickAt('tinh', `2026-12-0${d}`, { overall: 5, attitude: 5, time: 3 })),
  ]);
};

const page = async (c: TestCentral, path: string) => {
  const res = await fetch(`${c.url}/console${path}`, { redirect: 'manual' });
  return { status: res.status, text: await res.text(), headers: res.headers };
};

/** The table's rows as text: month label → cells, a withheld figure as "—". */
const rows = (text: string): Map<string, string[]> => {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(text)?.[1] ?? '';
  return new Map(
    [...body.matchAll(/<tr><th scope="row">(.*?)<\/th>(.*?)<\/tr>/g)].map((m) => [
      m[1]!,
      [...m[2]!.matchAll(/<td>(.*?)<\/td>/g)].map((c) =>
        c[1]!.includes('aria-hidden="true">—') ? '—' : c[1]!.replace(/<[^>]*>/g, ''),
      ),
    ]),
  );
};

const vi1 = (x: number): string => roundForDisplay(x, 1).toFixed(1).replace('.', ',');

const withCentral = async (
  backend: Backend,
  fn: (c: TestCentral, clock: { t: number }) => Promise<void>,
  perMinute = 1000,
): Promise<void> => {
  const clock = { t: START };
  const c = await startTestCentral(backend, {
    now: () => new Date(clock.t),
    console: { publicReportPerMinute: perMinute },
  });
  try {
    await seed(c.db);
    await fn(c, clock);
  } finally {
    await c.close();
  }
};

forEachBackend('public report page', (backend) => {
  test('off by default: 404, the same page as for a unit that does not exist or an id that cannot be one', async () => {
    await withCentral(backend, async (c) => {
      const off = await page(c, '/public/units/xa-b');
      const unknown = await page(c, '/public/units/khong-co');
      const malformed = await page(c, '/public/units/XA_B');
      expect([off.status, unknown.status, malformed.status]).toEqual([404, 404, 404]);
      // The bodies differ only by the requested path echoed in the language links.
      const strip = (p: { text: string }, id: string) => p.text.replaceAll(id, 'ID');
      expect(strip(unknown, 'khong-co')).toBe(strip(off, 'xa-b'));
      expect(strip(malformed, 'XA_B')).toBe(strip(off, 'xa-b'));
      expect(off.text).not.toContain('Xã B');
    });
  });

  test('on: months, sub-units, figures as runReport gives them, withheld under the threshold, nothing personal', async () => {
    await withCentral(backend, async (c) => {
      await c.db.query("UPDATE units SET public_report = true WHERE id = 'tinh'");
      const p = await page(c, '/public/units/tinh');
      expect(p.status).toBe(200);
      expect(p.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(p.text).toMatch(/<html lang="vi">/);
      expect(p.text).toContain('Tỉnh Thử Nghiệm cùng các đơn vị trực thuộc');
      expect(p.text).toMatch(/<svg role="img" aria-label="[^"]+"/);
      expect(p.text.indexOf('<svg')).toBeLessThan(p.text.indexOf('<table'));
      expect(p.text).toMatch(/<caption>[^<]+<\/caption>/);
      // No inline style or script for the CSP to block.
      expect(p.text).not.toMatch(/ style=|<style|<script/);
      for (const secret of [SECRET_CASE, SECRET_OFFICER, SECRET_COUNTER, 'Zebra', 'riêng tư', 'ho-tich', '1.001193'])
        expect(p.text).not.toContain(secret);

      const table = rows(p.text);
      expect([...table.keys()]).toEqual([
        '12/2025',
        ...['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11'].map((m) => `${m}/2026`),
        '12/2026 (đến 04/12/2026)',
      ]);
      // Month, by hand: 11 / 17 satisfied; total 12.4, Tốt.
      expect(table.get('10/2026')).toEqual([vi1((11 / 17) * 100), '6', '12,4', 'Tốt', '5']);
      expect(table.get('11/2026')).toEqual(['—', '—', '—', '—', '—']);
      expect(table.get('12/2026 (đến 04/12/2026)')).toEqual(['100,0', '5', '—', '—', '—']);
      expect(table.get('09/2026')).toEqual(['—', '—', '—', '—', '—']);

      // The same figures from the engine itself.
      const q = (report: 'quick' | 'per-case') =>
        ReportQuery.parse({
          report,
          from: '2025-12-01',
          to: '2026-12-04',
          unit: 'tinh',
          withSubunits: true,
          by: ['month'],
        });
      const now = new Date(START);
      const quick = await runReport(c.db, q('quick'), { viewer: null, now });
      const pc = await runReport(c.db, q('per-case'), { viewer: null, now });
      if (quick.report !== 'quick' || pc.report !== 'per-case') throw new Error('unexpected report');
      const octQuick = quick.groups.find((g) => g.key.month === '2026-10') satisfies QuickGroup | undefined;
      const qs = Object.values(octQuick!.questions).filter((x) => typeof x.satisfiedPercent === 'number');
      const pooled =
        qs.reduce((s, x) => s + (x.satisfiedPercent! * x.valid) / 100, 0) / qs.reduce((s, x) => s + x.valid, 0);
      expect(vi1(pooled * 100)).toBe(table.get('10/2026')![0]);
      const octPc = pc.groups.find((g) => g.key.month === '2026-10')!;
      expect(vi1(octPc.total!)).toBe(table.get('10/2026')![2]);
      expect(octPc.band?.label.vi).toBe(table.get('10/2026')![3]);

      const en = await page(c, '/public/units/tinh?lang=en');
      expect(en.text).toMatch(/<html lang="en">/);
      expect(rows(en.text).get('2026-10')).toEqual(['64.7', '6', '12.4', 'Good', '5']);
    });
  });

  test('served from the cache until it expires; turning the page off is at once', async () => {
    await withCentral(backend, async (c, clock) => {
      await c.db.query("UPDATE units SET public_report = true WHERE id = 'tinh'");
      const dec = '12/2026 (đến 04/12/2026)';
      expect(rows((await page(c, '/public/units/tinh')).text).get(dec)).toEqual(['100,0', '5', '—', '—', '—']);
      await seedResponses(
        c.db,
        [1, 2, 3, 4, 4].map((d, i) => perCaseAt('xa-a', `2026-12-0${d}`, all(2), 20 + i)),
      );
      clock.t += PUBLIC_PAGE_CACHE_MS - 1000;
      expect(rows((await page(c, '/public/units/tinh')).text).get(dec)).toEqual(['100,0', '5', '—', '—', '—']);
      clock.t += 2000;
      expect(rows((await page(c, '/public/units/tinh')).text).get(dec)).toEqual([
        '100,0',
        '5',
        '18,0',
        'Xuất sắc',
        '5',
      ]);
      await c.db.query("UPDATE units SET public_report = false WHERE id = 'tinh'");
      expect((await page(c, '/public/units/tinh')).status).toBe(404);
    });
  });

  test('odd queries are ignored, never a fault', async () => {
    await withCentral(backend, async (c) => {
      await c.db.query("UPDATE units SET public_report = true WHERE id = 'tinh'");
      for (const query of ['?lang=a&lang=b', '?lang[x]=1', '?lang=%00', '?x=' + 'a'.repeat(2000), '?lang=en&lang=en'])
        expect((await page(c, `/public/units/tinh${query}`)).status, query).toBe(200);
      expect((await page(c, '/public/units/tinh/x')).status).toBe(404);
      expect((await page(c, `/public/units/${'a'.repeat(64)}`)).status).toBe(404);
      // Longer than Fastify's path parameter limit: its own refusal, still not a fault.
      expect((await page(c, `/public/units/${'a'.repeat(300)}`)).status).toBe(414);
    });
  });
});

describe('public report page: rate limit', () => {
  test('an address over its budget gets 429 with the console message', async () => {
    await withCentral(
      'pglite',
      async (c) => {
        await c.db.query("UPDATE units SET public_report = true WHERE id = 'tinh'");
        expect((await page(c, '/public/units/tinh')).status).toBe(200);
        expect((await page(c, '/public/units/khong-co')).status).toBe(404);
        expect((await page(c, '/public/units/tinh')).status).toBe(200);
        const over = await page(c, '/public/units/tinh');
        expect(over.status).toBe(429);
        expect(over.text).toContain(translator('vi')('errors.rateLimited'));
      },
      3,
    );
  });
});

describe('public report page: period and cache', () => {
  test('the last 12 full months and this month, in Vietnam time; shortened from the oldest by maxRangeDays', () => {
    // 17:30 UTC on 31 December is 1 January in Vietnam: January is the current month.
    expect(publicPeriod(new Date('2026-12-31T17:30:00Z'), 1096)).toEqual({
      from: '2026-01-01',
      to: '2027-01-01',
      months: monthsUpTo('2027-01-01', 12),
    });
    expect(monthsUpTo('2027-01-01', 12)).toHaveLength(13);
    expect(monthsUpTo('2027-01-01', 12)[0]).toBe('2026-01');
    // 2026-10-01 .. 2026-12-04 is 65 days; one more month back would be 95.
    expect(publicPeriod(new Date(START), 90)).toMatchObject({
      from: '2026-10-01',
      months: ['2026-10', '2026-11', '2026-12'],
    });
  });

  test('the cache keeps a page for its time, holds at most its bound (oldest out first), shares one build, forgets a failed one', async () => {
    const cache = new PageCache(1000, 2);
    let builds = 0;
    const build = (text: string) => async () => {
      builds += 1;
      return text;
    };
    const [a1, a2] = await Promise.all([cache.get('a', 0, build('A1')), cache.get('a', 10, build('A2'))]);
    expect([a1, a2, builds]).toEqual(['A1', 'A1', 1]);
    expect(await cache.get('a', 999, build('A3'))).toBe('A1');
    expect(await cache.get('a', 1000, build('A4'))).toBe('A4');
    await cache.get('b', 1000, build('B'));
    await cache.get('c', 1000, build('C'));
    expect(cache.size).toBe(2);
    expect(await cache.get('a', 1001, build('A5'))).toBe('A5'); // "a" was the oldest: dropped for "c"
    await expect(cache.get('d', 1001, () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('d', 1002, build('D'))).toBe('D');
  });
});
