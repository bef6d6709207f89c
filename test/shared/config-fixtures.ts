import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';

/** The shipped questionnaires, and 'per-case-v1': the nine-indicator per-case version 1, retired but still valid. */
export type DefaultQuestionnaireId = 'quick' | 'per-case' | 'sipas' | 'per-case-v1';

const fileOf = (id: DefaultQuestionnaireId): string =>
  id === 'per-case-v1'
    ? join(EMBEDDED_CONFIG_DIR, 'retired', 'per-case.v1.json')
    : join(EMBEDDED_CONFIG_DIR, 'questionnaires', `${id}.json`);

/** The raw JSON of a shipped questionnaire, as IT would edit it. */
export const readDefaultQuestionnaireJson = (id: DefaultQuestionnaireId): unknown =>
  JSON.parse(readFileSync(fileOf(id), 'utf8'));

/** A shipped questionnaire, parsed by the shared schema (defaults filled in). */
export const defaultQuestionnaire = (id: DefaultQuestionnaireId): Questionnaire =>
  Questionnaire.parse(readDefaultQuestionnaireJson(id));

/** A small hand-made questionnaire; throws if the test's own data is invalid. */
export const makeQuestionnaire = (fields: {
  questions: unknown[];
  kind?: string;
  elements?: unknown;
  grading?: unknown;
}): Questionnaire =>
  Questionnaire.parse({ id: 'thu-nghiem', version: 1, kind: 'custom', title: { vi: 'Phiếu thử nghiệm' }, ...fields });

/** Shorthand for a Vietnamese-only text. */
export const vi = (text: string) => ({ vi: text });
