import type { Database } from 'better-sqlite3';
import { uuidv7 } from '../../shared/ids.ts';
import { INVITATION_TTL, Invitation } from '../../shared/invitation.ts';
import { readChoice } from '../core/assignment.ts';
import { createInvitations } from '../core/invitations/invitations.ts';
import type { InvitationRow } from '../core/invitations/store.ts';
import { systemClock } from '../core/runtime.ts';
import { getSetting } from '../core/store/settings.ts';
import { type Outcome, currentBundle, parseFacts } from './commands.ts';

export type InviteArgs = {
  caseNumber?: string;
  procedure?: string;
  officer?: string;
  counter?: string;
  ttl?: string;
  /** The facts as JSON text (read from --facts FILE by the caller). */
  factsJson?: string;
};

const usage = (message: string): Outcome => ({ exitCode: 2, out: { error: message }, text: `error: ${message}` });

/** This kiosk's own invitations: the kiosk's clock issues them, so they need no clock translation. */
const invitationsOn = (db: Database) => {
  const { bundle } = currentBundle(db);
  return createInvitations({
    db,
    clock: systemClock,
    log: () => {},
    knownProcedure: (code) => bundle.catalog.procedures.some((p) => p.code === code),
  });
};

/** The counter: as given, else the one staff's standing choice names, else the first configured one. */
const counterFor = (db: Database, given: string | undefined): string | undefined =>
  given ?? readChoice(db)?.counterId ?? getSetting(db, 'counters')[0]?.id;

/**
 * `kioskctl invite`: an invitation made on the kiosk itself (source 'cli'), as a one-stop system would
 * send it; the running kiosk shows it on its attract screen at once (it watches the database).
 */
export const invite = (db: Database, a: InviteArgs): Outcome => {
  if (a.caseNumber === undefined || a.procedure === undefined) return usage('invite needs --case N and --procedure P');
  const ttlSeconds = a.ttl === undefined ? getSetting(db, 'invitationTtlSeconds') : Number(a.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < INVITATION_TTL.minSeconds || ttlSeconds > INVITATION_TTL.maxSeconds)
    return usage(`--ttl takes whole seconds from ${INVITATION_TTL.minSeconds} to ${INVITATION_TTL.maxSeconds}`);
  const facts = a.factsJson === undefined ? undefined : parseFacts(a.factsJson);
  if (facts && 'error' in facts) return usage(facts.error);
  const counterId = counterFor(db, a.counter);
  if (counterId === undefined) return usage('no counter configured on this kiosk: give --counter C');
  const now = Date.now();
  const parsed = Invitation.safeParse({
    id: uuidv7(now),
    counterId,
    caseNumber: a.caseNumber,
    procedureCode: a.procedure,
    officerId: a.officer ?? null,
    ...(facts ? { facts: facts.facts } : {}),
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ttlSeconds * 1000).toISOString(),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = { caseNumber: '--case', procedureCode: '--procedure', officerId: '--officer', counterId: '--counter' };
    const field = String(issue?.path[0] ?? '');
    return usage(`${flag[field as keyof typeof flag] ?? field}: ${issue?.message ?? 'invalid'}`);
  }
  const invitations = invitationsOn(db);
  try {
    const r = invitations.receive(parsed.data, 'cli');
    const id = parsed.data.id;
    if (!r.ok) return { exitCode: 1, out: { id, error: r.code, message: r.message }, text: `error: ${r.message}` };
    return {
      exitCode: 0,
      out: { id, status: r.status, expiresAt: parsed.data.expiresAt },
      text: `invitation ${id}: ${r.status} (case ${parsed.data.caseNumber}, procedure ${parsed.data.procedureCode}, counter ${counterId}, until ${parsed.data.expiresAt})`,
    };
  } finally {
    invitations.close();
  }
};

const rowOut = (r: InvitationRow) => ({
  id: r.id,
  source: r.source,
  status: r.status,
  statusAt: r.status_at,
  caseNumber: r.case_number,
  procedureCode: r.procedure_code,
  counterId: r.counter_id,
  officerId: r.officer_id,
  receivedAt: r.received_at,
  responseId: r.response_id,
  reason: r.reason,
});

/** `kioskctl invitations`: the most recent invitations and where each stands. */
export const listInvitations = (db: Database, limitText: string | undefined): Outcome => {
  const limit = limitText === undefined ? 20 : /^\d+$/.test(limitText) ? Number(limitText) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return usage('--limit takes a number from 1 to 1000');
  const invitations = invitationsOn(db);
  try {
    const rows = invitations.recent(limit).map(rowOut);
    const text = rows.length
      ? rows
          .map(
            (r) => `${r.receivedAt}  ${r.status.padEnd(9)}  ${r.caseNumber}  ${r.procedureCode}  ${r.source}  ${r.id}`,
          )
          .join('\n')
      : 'no invitations yet';
    return { exitCode: 0, out: rows, text };
  } finally {
    invitations.close();
  }
};
