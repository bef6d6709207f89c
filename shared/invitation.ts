import { z } from 'zod';
import { CaseFacts } from './case-facts.ts';
import { ProcedureCode } from './catalog.ts';
import { UuidV7 } from './ids.ts';
import { CaseNumber, StaffRef } from './response.ts';

/**
 * The counter bridge (issue 11): the one-stop software tells a kiosk which case was just handled.
 * An invitation travels either through the central service (an integration's HTTP call, then the
 * kiosk's open connection) or on the office's LAN (a paired counter PC calls the kiosk). Both ways
 * hand the kiosk core the same `Invitation`; docs/counter-api.yaml is the prose for integrators.
 */

/** Bounds on how long an invitation waits for its citizen. */
export const INVITATION_TTL = { minSeconds: 30, defaultSeconds: 600, maxSeconds: 3600 } as const;

/** What a one-stop system (or an officer's page, or `centralctl invite`) asks for. */
export const InvitationRequest = z.strictObject({
  /** The counter where the citizen stands; central delivers to the kiosks placed at it. */
  counterId: StaffRef,
  caseNumber: CaseNumber,
  procedureCode: ProcedureCode,
  officerId: StaffRef.optional(),
  facts: CaseFacts.optional(),
  /** How long the invitation waits; the unit's default when absent. */
  ttlSeconds: z.number().int().min(INVITATION_TTL.minSeconds).max(INVITATION_TTL.maxSeconds).optional(),
});
export type InvitationRequest = z.infer<typeof InvitationRequest>;

/**
 * What reaches the kiosk. `issuedAt` and `expiresAt` are on the issuer's clock: the kiosk keeps the
 * DIFFERENCE (its own receipt time plus the lifetime left), so a kiosk whose clock is off neither
 * shows a dead invitation nor drops a live one. Delivery is at least once; the kiosk shows an id once.
 */
export const Invitation = z
  .strictObject({
    id: UuidV7,
    counterId: StaffRef,
    caseNumber: CaseNumber,
    procedureCode: ProcedureCode,
    officerId: StaffRef.nullable(),
    facts: CaseFacts.optional(),
    issuedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .refine((i) => Date.parse(i.expiresAt) > Date.parse(i.issuedAt), {
    path: ['expiresAt'],
    message: 'expires before it was issued',
  });
export type Invitation = z.infer<typeof Invitation>;

/**
 * Where an invitation stands, as the officer's display shows it:
 * - waiting: issued, not yet on a kiosk (central only);
 * - delivered: on the kiosk's attract screen, waiting for the citizen;
 * - answered: a citizen rated the case (`responseId` names the stored response);
 * - expired: its time ran out unanswered;
 * - replaced: the next invitation for the same counter arrived first;
 * - refused: the kiosk could not take it (for example a procedure its configuration does not have).
 */
export const InvitationStatus = z.enum(['waiting', 'delivered', 'answered', 'expired', 'replaced', 'refused']);
export type InvitationStatus = z.infer<typeof InvitationStatus>;

/** Statuses only a kiosk reports; `waiting` is central's own. */
export const KioskInvitationStatus = InvitationStatus.exclude(['waiting']);

/** One status change a kiosk reports (POST /v1/invitations/status, device-signed; at least once). */
export const InvitationStatusUpdate = z.strictObject({
  invitationId: UuidV7,
  status: KioskInvitationStatus,
  /** On the kiosk's clock. */
  at: z.iso.datetime(),
  responseId: UuidV7.optional(),
  /** Why, for `refused`: a sentence for the officer's display. */
  reason: z.string().max(200).optional(),
});
export type InvitationStatusUpdate = z.infer<typeof InvitationStatusUpdate>;

export const InvitationStatusReport = z.strictObject({
  updates: z.array(InvitationStatusUpdate).min(1).max(100),
});
export type InvitationStatusReport = z.infer<typeof InvitationStatusReport>;

/**
 * After each catch-up (every connection's first events), `event: open`: the ids central holds open for
 * the device's counter as the catch-up read them. An invitation the kiosk took on an EARLIER connection
 * and still shows, not among them, ended at central while the kiosk was away (replaced by one that
 * expired unseen, or the kiosk moved to another counter): the kiosk stops showing it. Kiosks that do
 * not know the event ignore it.
 */
export const OpenInvitations = z.strictObject({ ids: z.array(UuidV7).max(100) });
export type OpenInvitations = z.infer<typeof OpenInvitations>;

/** Server-sent events on GET /v1/invitations/stream (device-signed): `event: invitation`, data = Invitation. */
export const INVITATION_STREAM = {
  path: '/v1/invitations/stream',
  statusPath: '/v1/invitations/status',
  event: 'invitation',
  /** After each catch-up: OpenInvitations. */
  openEvent: 'open',
  /** A comment line this often keeps NATs and proxies from closing an idle connection. */
  keepAliveSeconds: 25,
} as const;
