import { z } from 'zod';
import { Int, Timestamp, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

export type ExportFormat = 'ndjson' | 'csv';

/**
 * CSV columns: one row per response, fixed columns, and the answers as ONE column holding their
 * JSON object ({"q1":5,"q2":"…"}). Questionnaires differ per response and per version, so one
 * column per question would make a sparse, unstable header; analysis tools split the JSON column.
 */
export const CSV_COLUMNS = [
  'device_id',
  'seq',
  'response_id',
  'unit_id',
  'received_at',
  'questionnaire_id',
  'questionnaire_version',
  'procedure_code',
  'field_code',
  'case_number',
  'officer_id',
  'counter_id',
  'locale',
  'status',
  'started_at',
  'submitted_at',
  'duration_ms',
  'rapid_repeat',
  'clock_suspect',
  'answers_json',
  // Per-case v2 (issue 11): who gave each answer ({"question":"citizen"|"system"}; empty before v2), and a
  // second evaluation of a case: kept and flagged by the kiosk (the office chose to flag repeats rather
  // than refuse them), or found by central among the unit's kiosks (another kiosk's evaluation of the
  // case is earlier: central/reports/repeat-cases.ts; known once the report job has counted it).
  'answer_sources_json',
  'repeat_case',
] as const;

const PAGE = 2000;
const Row = z.object({
  device_id: z.string(),
  seq: Int,
  unit_id: z.string(),
  received_at: Timestamp,
  body: z.record(z.string(), z.unknown()),
  /** report_facts.flagged: null until the report job has counted the response. */
  counted_flagged: z.boolean().nullable(),
});

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; also guards against spreadsheet formulas. */
export const csvField = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * A repeat evaluation of its case: flagged so by the kiosk, or counted as flagged by central although
 * the kiosk flagged nothing (central flags nothing else: its one decision is the repeat case).
 */
const repeatCase = (flags: Record<string, unknown>, countedFlagged: boolean | null): boolean =>
  flags['repeatCase'] === true ||
  (countedFlagged === true && flags['rapidRepeat'] !== true && flags['clockSuspect'] !== true);

const csvLine = (r: z.infer<typeof Row>): string => {
  const b = r.body;
  const flags = (b['flags'] ?? {}) as Record<string, unknown>;
  const values: unknown[] = [
    r.device_id,
    r.seq,
    b['id'],
    r.unit_id,
    r.received_at.toISOString(),
    b['questionnaireId'],
    b['questionnaireVersion'],
    b['procedureCode'],
    b['fieldCode'],
    b['caseNumber'],
    b['officerId'],
    b['counterId'],
    b['locale'],
    b['status'],
    b['startedAt'],
    b['submittedAt'],
    b['durationMs'],
    flags['rapidRepeat'],
    flags['clockSuspect'],
    JSON.stringify(b['answers'] ?? {}),
    b['sources'] === undefined ? '' : JSON.stringify(b['sources']),
    repeatCase(flags, r.counted_flagged),
  ];
  return `${values.map(csvField).join(',')}\r\n`;
};

/**
 * Streams every stored response (conflicts are not responses) ordered by device and seq, in pages
 * (keyset pagination), so memory stays flat whatever the table size. NDJSON lines are the
 * StoredResponse as received plus "unitId" and "receivedAt".
 */
export const exportResponses = async (
  db: Queryable,
  format: ExportFormat,
  write: (chunk: string) => Promise<void> | void,
): Promise<number> => {
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\r\n`);
  let after: { device: string; seq: number } | null = null;
  let count = 0;
  for (;;) {
    const page: z.infer<typeof Row>[] = parseRows(
      Row,
      await db.query(
        `SELECT r.device_id, r.seq, d.unit_id, r.received_at, r.body, f.flagged AS counted_flagged
           FROM responses r JOIN devices d ON d.id = r.device_id
           LEFT JOIN report_facts f ON f.device_id = r.device_id AND f.response_id = r.response_id
          WHERE ($1::text IS NULL OR (r.device_id, r.seq) > ($1::text, $2::int))
          ORDER BY r.device_id, r.seq LIMIT $3`,
        [after?.device ?? null, after?.seq ?? 0, PAGE],
      ),
    );
    if (page.length === 0) return count;
    const text = page
      .map((r) =>
        format === 'csv'
          ? csvLine(r)
          : `${JSON.stringify({ ...r.body, unitId: r.unit_id, receivedAt: r.received_at.toISOString() })}\n`,
      )
      .join('');
    await write(text);
    count += page.length;
    const last = page[page.length - 1]!;
    after = { device: last.device_id, seq: last.seq };
  }
};
