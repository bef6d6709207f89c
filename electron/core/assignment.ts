import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { Assignment } from '../../shared/api.ts';
import { CaseFacts } from '../../shared/case-facts.ts';
import { type ConfigBundle, ProcedureCode, questionnaireFor } from '../../shared/catalog.ts';
import { UuidV7 } from '../../shared/ids.ts';
import { CaseNumber, StaffRef } from '../../shared/response.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { readState, writeState } from './store/state.ts';

/** What staff chose, as stored. Names and the questionnaire are resolved against the current config. */
export const AssignmentChoice = z.object({
  procedureCode: ProcedureCode,
  caseNumber: CaseNumber.nullable(),
  officerId: StaffRef.nullable(),
  counterId: StaffRef.nullable(),
  setAt: z.iso.datetime(),
  /** The case's facts from the one-stop system; staff's PIN panel sets none (a new choice drops them). */
  facts: CaseFacts.optional(),
  /** Set when the choice is a counter-bridge invitation's (issue 11), never stored as staff's choice. */
  invitationId: UuidV7.optional(),
});
export type AssignmentChoice = z.infer<typeof AssignmentChoice>;

const KEY = 'assignment';

export const readChoice = (db: Database): AssignmentChoice | undefined => readState(db, KEY, AssignmentChoice);
export const writeChoice = (db: Database, choice: AssignmentChoice): void => writeState(db, KEY, choice);

/**
 * Resolves a choice to a full assignment. A procedure that left the catalog falls back to the
 * catalog's first procedure, so the kiosk always has something valid to ask.
 */
export const resolveAssignment = (
  bundle: ConfigBundle,
  choice: AssignmentChoice | undefined,
): { assignment: Assignment; questionnaire: Questionnaire } => {
  const known = choice && bundle.catalog.procedures.find((p) => p.code === choice.procedureCode);
  const procedure = known ?? bundle.catalog.procedures[0]!;
  const field = bundle.catalog.fields.find((f) => f.code === procedure.field)!;
  const qid = questionnaireFor(bundle.catalog, procedure.code)!;
  const questionnaire = bundle.questionnaires.find((q) => q.id === qid)!;
  const kept = known ? choice : undefined;
  return {
    assignment: {
      procedureCode: procedure.code,
      procedureName: procedure.name,
      fieldCode: field.code,
      fieldName: field.name,
      questionnaireId: questionnaire.id,
      questionnaireVersion: questionnaire.version,
      caseNumber: kept?.caseNumber ?? null,
      officerId: kept?.officerId ?? null,
      counterId: kept?.counterId ?? null,
      setAt: kept?.setAt ?? new Date(0).toISOString(),
      ...(kept?.facts ? { facts: kept.facts } : {}),
      ...(kept?.invitationId ? { invitationId: kept.invitationId } : {}),
    },
    questionnaire,
  };
};
