import { z } from 'zod';
import { checkAnswers } from '../../shared/answers.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir, loadRetiredQuestionnaires } from '../../shared/node/config-loader.ts';
import { sourceIssues } from '../../shared/fact-answers.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { Int, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

/**
 * What a signed response must be to be stored as a response: an answer to a questionnaire version
 * its device's unit was given, by the answer rules the kiosk applies (shared/answers.ts). A stolen
 * device key can sign anything; this keeps unknown questionnaires, questions and values out of the
 * responses table (they are set aside in refused_responses instead, see store-batch.ts).
 */
export type Refusal = { reason: 'unknown_questionnaire' | 'invalid_answers'; detail: string };

/** Known questionnaire versions for one batch, keyed `id@version`. */
export type KnownQuestionnaires = Map<string, Questionnaire>;

/** The key of a questionnaire version in a KnownQuestionnaires map. */
export const keyOf = (id: string, version: number): string => `${id}@${version}`;
const MAX_DETAIL = 1000;

let embedded: KnownQuestionnaires | undefined;
/**
 * The questionnaires bundled in assets/config. A kiosk answers them until its unit publishes a
 * configuration (and its backlog from then may arrive later), so they count as known for every unit;
 * so do the retired ones (assets/config/retired: per-case v1), which kiosks not yet updated still answer.
 */
export const embeddedQuestionnaires = (): KnownQuestionnaires => {
  if (!embedded) {
    const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
    if (!loaded.ok) throw new Error('the embedded configuration does not load');
    const all = [...loaded.config.bundle.questionnaires, ...loadRetiredQuestionnaires()];
    embedded = new Map(all.map((q) => [keyOf(q.id, q.version), q]));
  }
  return embedded;
};

/** Parsed questionnaires by content hash: a published (id, version) never changes, so neither does its parse. */
const parsedByHash = new Map<string, Questionnaire>();
const MAX_CACHED = 256;

export const parseCached = (hash: string, body: unknown): Questionnaire | undefined => {
  const cached = parsedByHash.get(hash);
  if (cached) return cached;
  const parsed = Questionnaire.safeParse(typeof body === 'string' ? JSON.parse(body) : body);
  if (!parsed.success) return undefined;
  if (parsedByHash.size >= MAX_CACHED) parsedByHash.clear();
  parsedByHash.set(hash, parsed.data);
  return parsed.data;
};

const Row = z.object({ id: z.string(), version: Int, hash: z.string(), body: z.unknown() });

/** The questionnaire versions these responses name that the unit was given (or that are embedded). */
export const knownQuestionnaires = async (
  db: Queryable,
  unitId: string,
  responses: readonly StoredResponse[],
): Promise<KnownQuestionnaires> => {
  const wanted = new Map(responses.map((r) => [keyOf(r.questionnaireId, r.questionnaireVersion), r] as const));
  const ids = [...wanted.values()].map((r) => r.questionnaireId);
  const versions = [...wanted.values()].map((r) => r.questionnaireVersion);
  const rows = parseRows(
    Row,
    await db.query(
      `SELECT q.id, q.version, q.hash, q.body
         FROM unit_questionnaires u JOIN questionnaires q ON q.id = u.questionnaire_id AND q.version = u.version
        WHERE u.unit_id = $1 AND (u.questionnaire_id, u.version) IN (SELECT * FROM unnest($2::text[], $3::int[]))`,
      [unitId, ids, versions],
    ),
  );
  const known: KnownQuestionnaires = new Map();
  for (const [key, q] of embeddedQuestionnaires()) if (wanted.has(key)) known.set(key, q);
  // What the unit was given wins over an embedded default of the same (id, version).
  for (const row of rows) {
    const q = parseCached(row.hash, row.body);
    if (q) known.set(keyOf(row.id, row.version), q);
  }
  return known;
};

/** Why a response may not be stored as a response, or undefined when it may. */
export const refusalOf = (r: StoredResponse, known: KnownQuestionnaires): Refusal | undefined => {
  const q = known.get(keyOf(r.questionnaireId, r.questionnaireVersion));
  if (!q)
    return {
      reason: 'unknown_questionnaire',
      detail: `questionnaire "${r.questionnaireId}" version ${r.questionnaireVersion} was never published to this device's unit`,
    };
  // Sources are checked like answers: a signed "system" on a question facts cannot answer is refused.
  const issues = [...checkAnswers(q, r.answers, r.status), ...sourceIssues(q, r.answers, r.sources)];
  if (issues.length === 0) return undefined;
  const detail = issues.map((i) => `${i.question}: ${i.message}`).join('; ');
  return { reason: 'invalid_answers', detail: detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail };
};
