import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCommand } from '../../central/cli/commands.ts';
import { startCentral } from '../../central/index.ts';
import type { CentralDb } from '../../central/db/types.ts';
import { ReportRequestError, type runReport } from '../../central/reports/run-report.ts';
import { saveReportSettings } from '../../central/reports/settings-store.ts';
import { ReportQuery } from '../../shared/reports/query.ts';
import type { ReportResult } from '../../shared/reports/result.ts';
import { DEFAULT_REPORT_SETTINGS } from '../../shared/reports/settings.ts';
import { openTestDb } from '../support/central.ts';
import { tempDir } from '../support/tmp.ts';

type Run = { code: number; stdout: string; stderr: string; queries: string[]; asked: ReportQuery[] };

/**
 * A stand-in for the report ENGINE only (another unit, built in parallel): it records the query it was
 * handed and answers a hand-built result, or refuses like the engine does.
 */
const fakeEngine =
  (asked: ReportQuery[], answer: (q: ReportQuery) => ReportResult): typeof runReport =>
  async (_db, query) => {
    asked.push(query);
    return answer(query);
  };

const resultFor = (q: ReportQuery): ReportResult => ({
  report: 'comments',
  filters: { ...q, units: ['xa-hai-long'], unitNames: {} },
  generatedAt: '2026-12-31T17:05:00.000Z',
  notes: [],
  rows: [
    {
      responseId: 'c1',
      unit: 'xa-hai-long',
      submittedAt: '2026-11-05T02:00:00.000Z',
      questionnaire: 'quick',
      field: 'tu-phap',
      procedure: '1.001234',
      officer: null,
      score: 0.25,
      comment: 'Cán bộ nhiệt tình, đợi hơi lâu',
      flagged: false,
    },
  ],
  total: 1,
});

let db: CentralDb;
beforeAll(async () => {
  db = await openTestDb('pglite');
});
afterAll(async () => {
  await db.close();
});

const ctl = async (
  args: string[],
  options: { cwd?: string; engine?: (q: ReportQuery) => ReportResult } = {},
): Promise<Run> => {
  let stdout = '';
  let stderr = '';
  const queries: string[] = [];
  const asked: ReportQuery[] = [];
  // Counts every statement, to show that a refused line does no database work at all.
  const counted: CentralDb = {
    ...db,
    query: (sql, params) => {
      queries.push(sql);
      return db.query(sql, params);
    },
    exec: db.exec.bind(db),
    copyIn: db.copyIn.bind(db),
    transaction: db.transaction.bind(db),
    close: db.close.bind(db),
  };
  const code = await runCommand(['report', ...args], {
    db: counted,
    centralKey: () => {
      throw new Error('not used');
    },
    cwd: options.cwd ?? process.cwd(),
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    now: () => new Date('2027-01-02T03:00:00Z'),
    runReport: fakeEngine(asked, options.engine ?? resultFor),
  });
  return { code, stdout, stderr, queries, asked };
};

describe('centralctl report: refusals, each one line and a non-zero exit', () => {
  const REFUSED: [string[], string][] = [
    [[], 'centralctl report: name one report: per-case, per-case-list, sipas, quick, comments, invitations (got 0)\n'],
    [
      ['per-kase', '--period', '2026'],
      'centralctl report: unknown report "per-kase"; the reports are per-case, per-case-list, sipas, quick, comments, invitations\n',
    ],
    [
      ['per-case', '--period', '2026', '--by', 'unit,ward'],
      'centralctl report: unknown grouping "ward"; group by unit, field, procedure, officer, counter, month, quarter, version\n',
    ],
    [
      ['per-case', '--period', '2026', '--by', 'unit', '--by', 'month', '--by', 'field'],
      'centralctl report: --by: at most two groupings (got unit, month, field)\n',
    ],
    [['per-case', '--period', '2026', '--by', 'unit,unit'], 'centralctl report: --by: a grouping is given twice\n'],
    [
      ['sipas', '--from', '2026-13-01', '--to', '2026-12-31'],
      'centralctl report: --from: not a calendar date (got "2026-13-01")\n',
    ],
    [
      ['sipas', '--from', '2026-10-01', '--to', '31/12/2026'],
      'centralctl report: --to: expected a date as YYYY-MM-DD (got "31/12/2026")\n',
    ],
    [
      ['quick', '--period', '2026-Q5'],
      'centralctl report: --period: expected a year (2026), a quarter (2026-Q3) or a month (2026-10), got "2026-Q5"\n',
    ],
    [['quick', '--from', '2026-10-01'], 'centralctl report: --from and --to go together\n'],
    [
      ['quick'],
      'centralctl report: give the period: --from YYYY-MM-DD --to YYYY-MM-DD, or --period 2026|2026-Q3|2026-10\n',
    ],
    [
      ['quick', '--period', '2026', '--from', '2026-01-01'],
      'centralctl report: give either --period or --from and --to, not both\n',
    ],
    [
      ['per-case', '--period', '2026', '--format', 'xlsx'],
      'centralctl report: --format xlsx is a binary file, not for a terminal: give --out FILE\n',
    ],
    [
      ['per-case', '--period', '2026', '--format', 'pdf'],
      'centralctl report: --format must be json, csv, xlsx (got "pdf")\n',
    ],
    [
      ['per-case', '--period', '2026', '--version', 'two'],
      'centralctl report: --version: expected a whole number, got "two"\n',
    ],
    [
      ['per-case', '--period', '2026', '--unit', 'Xã A'],
      'centralctl report: --unit: a unit id is lowercase letters, digits and "-" (got "Xã A")\n',
    ],
  ];

  test.each(REFUSED)('%j', async (args, message) => {
    const r = await ctl(args);
    expect(r.stderr).toBe(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.queries, 'refused before any database work').toEqual([]);
    expect(r.asked).toEqual([]);
  });

  test('an unknown flag is refused by name', async () => {
    const r = await ctl(['per-case', '--period', '2026', '--nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^centralctl report: Unknown option '--nope'/);
    expect(r.queries).toEqual([]);
  });

  test('a reversed range and a range over the settings maxRangeDays are refused before the report runs', async () => {
    const reversed = await ctl(['per-case', '--from', '2026-12-31', '--to', '2026-10-01']);
    expect(reversed).toMatchObject({
      code: 2,
      stderr: 'centralctl report: the period is reversed: 2026-12-31 is after 2026-10-01\n',
      asked: [],
    });
    const tenYears = await ctl(['per-case', '--from', '2017-01-01', '--to', '2026-12-31']);
    expect(tenYears).toMatchObject({
      code: 2,
      stderr: 'centralctl report: the period covers 3652 days; a report covers at most 1096\n',
      asked: [],
    });
    // The limit is the province's setting, read from the database, not a constant.
    await saveReportSettings(db, { ...DEFAULT_REPORT_SETTINGS, maxRangeDays: 92 }, 'test', new Date());
    try {
      expect((await ctl(['per-case', '--period', '2026'])).stderr).toBe(
        'centralctl report: the period covers 365 days; a report covers at most 92\n',
      );
      expect((await ctl(['per-case', '--period', '2026-Q3'])).code).toBe(0);
    } finally {
      await saveReportSettings(db, DEFAULT_REPORT_SETTINGS, 'test', new Date());
    }
  });

  test("the engine's refusal (an unknown unit) is printed as is, exit 1", async () => {
    const r = await ctl(['per-case', '--period', '2026-10', '--unit', 'xa-khong-co'], {
      engine: (q) => {
        throw new ReportRequestError('unknown_unit', `there is no unit "${q.unit ?? ''}"`);
      },
    });
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: 'centralctl report: there is no unit "xa-khong-co"\n' });
  });
});

describe('centralctl report: what reaches the engine and what comes out', () => {
  test('a full flag set becomes exactly this ReportQuery; JSON (the default) is the result as is', async () => {
    const r = await ctl([
      'comments',
      '--from',
      '2026-10-01',
      '--to',
      '2026-12-31',
      '--unit',
      'tinh-a',
      '--with-subunits',
      '--by',
      'unit,month',
      '--field',
      'tu-phap',
      '--procedure',
      '1.001234',
      '--officer',
      'cb-lan',
      '--counter',
      'q1',
      '--questionnaire',
      'quick',
      '--version',
      '2',
      '--include-flagged',
      '--search',
      'chậm trễ',
      '--limit',
      '500',
      '--offset',
      '1000',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected: ReportQuery = {
      report: 'comments',
      from: '2026-10-01',
      to: '2026-12-31',
      unit: 'tinh-a',
      withSubunits: true,
      by: ['unit', 'month'],
      field: 'tu-phap',
      procedure: '1.001234',
      officer: 'cb-lan',
      counter: 'q1',
      questionnaire: 'quick',
      version: 2,
      includeFlagged: true,
      search: 'chậm trễ',
      limit: 500,
      offset: 1000,
    };
    expect(r.asked).toEqual([expected]);
    expect(JSON.parse(r.stdout)).toEqual(resultFor(expected));
  });

  test('--period and the defaults: every unit, no grouping, flagged left out, --by repeated', async () => {
    const r = await ctl(['per-case', '--period', '2026-Q3', '--by', 'unit', '--by', 'quarter']);
    expect(r.code).toBe(0);
    expect(r.asked).toEqual([
      ReportQuery.parse({ report: 'per-case', from: '2026-07-01', to: '2026-09-30', by: ['unit', 'quarter'] }),
    ]);
    expect(r.asked[0]).toMatchObject({ unit: null, withSubunits: false, includeFlagged: false, limit: 100 });
  });

  test('--out writes CSV (BOM, Vietnamese) and XLSX files relative to the working directory, private to the user', async () => {
    const { dir, cleanup } = tempDir('centralctl-report-');
    try {
      const csv = await ctl(['comments', '--period', '2026-11', '--format', 'csv', '--out', 'y-kien.csv'], {
        cwd: dir,
      });
      expect(csv.code).toBe(0);
      expect(csv.stdout).toBe('');
      expect(csv.stderr).toMatch(/^wrote the comments report \(csv, \d+ bytes\) to .*y-kien\.csv\n$/);
      const bytes = readFileSync(join(dir, 'y-kien.csv'));
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.toString('utf8')).toContain('Cán bộ nhiệt tình, đợi hơi lâu');
      expect(statSync(join(dir, 'y-kien.csv')).mode & 0o777).toBe(0o600);

      const xlsx = await ctl(['comments', '--period', '2026-11', '--format', 'xlsx', '--out', 'y-kien.xlsx'], {
        cwd: dir,
      });
      expect(xlsx.code).toBe(0);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(readFileSync(join(dir, 'y-kien.xlsx')) as unknown as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['Ý kiến']);
      const texts: unknown[] = [];
      wb.worksheets[0]!.eachRow((row) => row.eachCell((c) => void texts.push(c.value)));
      expect(texts).toContain('Cán bộ nhiệt tình, đợi hơi lâu');

      const json = await ctl(['comments', '--period', '2026-11', '--out', join(dir, 'r.json')]);
      expect(json.code).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).toMatchObject({ report: 'comments', total: 1 });
    } finally {
      cleanup();
    }
  });

  test('CSV to stdout keeps the BOM, so a redirect to a file opens in Excel', async () => {
    const r = await ctl(['comments', '--period', '2026-11', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('\uFEFF"Ý kiến góp ý')).toBe(true);
  });
});

/** centralctl as IT runs it, in its own process. */
const centralctlProcess = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((done) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'centralctl.js'), ...args], {
      env: { ...process.env, DATABASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });

describe('centralctl report while the server holds the PGlite data dir', () => {
  test('the line is checked inside the server (settings from its database) and the refusal comes back as is', async () => {
    const { dir, cleanup } = tempDir('centralctl-report-remote-');
    const central = await startCentral({ dataDir: dir, port: 0, rateLimit: { perIp: false, perDevice: false } });
    try {
      const binary = await centralctlProcess([
        '--data-dir',
        dir,
        'report',
        'per-case',
        '--period',
        '2026',
        '--format',
        'xlsx',
      ]);
      expect(binary).toMatchObject({
        status: 2,
        stdout: '',
        stderr: 'centralctl report: --format xlsx is a binary file, not for a terminal: give --out FILE\n',
      });
      const reversed = await centralctlProcess([
        '--data-dir',
        dir,
        'report',
        'sipas',
        '--from',
        '2026-12-31',
        '--to',
        '2026-10-01',
      ]);
      expect(reversed).toMatchObject({
        status: 2,
        stderr: 'centralctl report: the period is reversed: 2026-12-31 is after 2026-10-01\n',
      });
    } finally {
      await central.close();
      cleanup();
    }
  }, 90_000);
});
