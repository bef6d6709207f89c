import { z } from 'zod';
import { DEFAULT_REPORT_SETTINGS, ReportSettings } from '../../shared/reports/settings.ts';
import { firstRow } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

const Row = z.object({ settings: z.unknown() });

/**
 * The province's report settings; defaults for keys not stored. A stored document that no longer
 * parses (a key removed in a later release) falls back to the defaults key by key rather than failing every report.
 */
export const loadReportSettings = async (db: Queryable): Promise<ReportSettings> => {
  const row = firstRow(Row, await db.query('SELECT settings FROM report_settings WHERE id'));
  if (!row) return DEFAULT_REPORT_SETTINGS;
  const stored = typeof row.settings === 'object' && row.settings !== null ? row.settings : {};
  const parsed = ReportSettings.safeParse(stored);
  if (parsed.success) return parsed.data;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    const one = ReportSettings.safeParse({ [key]: value });
    if (one.success) kept[key] = value;
  }
  return ReportSettings.parse(kept);
};

/** Replaces the stored settings (validated first); returns what is now in force. */
export const saveReportSettings = async (
  db: Queryable,
  settings: unknown,
  by: string,
  now: Date,
): Promise<ReportSettings> => {
  const parsed = ReportSettings.parse(settings);
  await db.query(
    `INSERT INTO report_settings (id, settings, updated_by, updated_at) VALUES (true, $1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [JSON.stringify(parsed), by, now],
  );
  return parsed;
};
