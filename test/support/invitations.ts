// Invitations as an issuer makes them (issue 11), for the core, stream-client and e2e tests.
import type { CaseFacts } from '../../shared/case-facts.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Invitation } from '../../shared/invitation.ts';

export const PER_CASE_PROCEDURE = '1.001193'; // Hộ tịch: per-case v2 in the embedded configuration

export const CASE_FACTS: CaseFacts = {
  receivedAt: '2026-03-01T08:00:00+07:00',
  dueAt: '2026-03-05T17:00:00+07:00',
  returnedAt: '2026-03-04T10:00:00+07:00',
  returnVisits: 0,
};

/** An invitation issued at `issuedMs` on the issuer's clock, waiting `ttlMs`. */
export const makeInvitation = (
  o: Partial<Omit<Invitation, 'issuedAt' | 'expiresAt'>> & { issuedMs?: number; ttlMs?: number } = {},
): Invitation => {
  const issuedMs = o.issuedMs ?? Date.now();
  const { issuedMs: _issued, ttlMs = 600_000, ...rest } = o;
  return {
    id: uuidv7(issuedMs),
    counterId: 'q1',
    caseNumber: 'HS-2026-0001',
    procedureCode: PER_CASE_PROCEDURE,
    officerId: 'cb01',
    ...rest,
    issuedAt: new Date(issuedMs).toISOString(),
    expiresAt: new Date(issuedMs + ttlMs).toISOString(),
  };
};
