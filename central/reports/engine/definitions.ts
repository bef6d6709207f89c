import { z } from 'zod';
import { EMBEDDED_CONFIG_DIR, loadConfigDir, loadRetiredQuestionnaires } from '../../../shared/node/config-loader.ts';
import { Questionnaire } from '../../../shared/questionnaire.ts';
import type { ReportKind } from '../../../shared/reports/query.ts';
import { Int, parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';

/**
 * The questionnaire definitions reports read answers by: every version ever published (the
 * questionnaires table keeps them all, since a published (id, version) never changes) and the embedded
 * defaults in assets/config (kiosks answer those before their unit has a configuration). A stored
 * version wins over an embedded one of the same (id, version), as in central/ingest/validate-responses.ts.
 */
export type Definitions = Map<string, Questionnaire>;

export const definitionKey = (id: string, version: number): string => `${id}@${version}`;

let embedded: Questionnaire[] | undefined;
const embeddedQuestionnaires = (): Questionnaire[] => {
  if (!embedded) {
    const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
    if (!loaded.ok) throw new Error('the embedded configuration does not load');
    // Retired versions too (per-case v1): their stored answers are still reported under their own version.
    embedded = [...loaded.config.bundle.questionnaires, ...loadRetiredQuestionnaires()];
  }
  return embedded;
};

/** Parsed bodies by content hash (a published version never changes, so neither does its parse). */
const parsedByHash = new Map<string, Questionnaire | null>();
const MAX_CACHED = 512;

const Head = z.object({ id: z.string(), version: Int, hash: z.string() });
const Body = z.object({ hash: z.string(), body: z.unknown() });

/** Every known questionnaire version, keyed `id@version`. */
export const loadDefinitions = async (db: Queryable): Promise<Definitions> => {
  const heads = parseRows(Head, await db.query('SELECT id, version, hash FROM questionnaires'));
  const missing = [...new Set(heads.map((h) => h.hash).filter((h) => !parsedByHash.has(h)))];
  if (missing.length > 0) {
    const bodies = parseRows(
      Body,
      await db.query('SELECT DISTINCT ON (hash) hash, body FROM questionnaires WHERE hash = ANY($1::text[])', [
        missing,
      ]),
    );
    if (parsedByHash.size + bodies.length > MAX_CACHED) parsedByHash.clear();
    for (const b of bodies) {
      const parsed = Questionnaire.safeParse(typeof b.body === 'string' ? JSON.parse(b.body) : b.body);
      parsedByHash.set(b.hash, parsed.success ? parsed.data : null);
    }
  }
  const defs: Definitions = new Map(embeddedQuestionnaires().map((q) => [definitionKey(q.id, q.version), q]));
  for (const h of heads) {
    const q = parsedByHash.get(h.hash);
    if (q) defs.set(definitionKey(h.id, h.version), q);
  }
  return defs;
};

/**
 * Whether a questionnaire version feeds a report's instrument: by its kind, or, for a 'custom' one, by its
 * questions' `feeds` (per-case indicators, SIPAS criteria). A custom questionnaire feeds no quick report.
 */
export const servesReport = (q: Questionnaire, report: ReportKind): boolean => {
  switch (report) {
    case 'per-case':
    case 'per-case-list':
      return (
        q.kind === 'per-case' || (q.kind === 'custom' && q.questions.some((x) => x.feeds?.instrument === 'per-case'))
      );
    case 'sipas':
      return q.kind === 'sipas' || (q.kind === 'custom' && q.questions.some((x) => x.feeds?.instrument === 'sipas'));
    case 'quick':
      return q.kind === 'quick';
    case 'comments':
      return true;
    case 'invitations':
      // Counted from the case bridge's invitations, not from any questionnaire's answers.
      return false;
  }
};

/** The questionnaire ids with at least one version serving the report (narrowed to `only` when given). */
export const questionnairesServing = (defs: Definitions, report: ReportKind, only?: string): string[] =>
  [...new Set([...defs.values()].filter((q) => servesReport(q, report)).map((q) => q.id))]
    .filter((id) => only === undefined || id === only)
    .sort();
