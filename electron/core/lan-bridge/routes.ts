import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from 'better-sqlite3';
import type { Catalog } from '../../../shared/catalog.ts';
import { errorMessage } from '../../../shared/error-message.ts';
import { UuidV7, uuidv7 } from '../../../shared/ids.ts';
import { type Invitation, InvitationRequest } from '../../../shared/invitation.ts';
import { type LanProcedures, PairRequest } from '../../../shared/lan-bridge.ts';
import type { InvitationSink } from '../invitations/sink.ts';
import type { Logger } from '../runtime.ts';
import type { StoredSettings } from '../store/settings.ts';
import { audit } from '../store/audit.ts';
import { issuesOf, readJsonBody, sendError, sendJson } from './http-io.ts';
import { type LanClient, redeemPairingCode } from './pairing.ts';
import type { InvitationSenders } from './senders.ts';

/** What the LAN bridge's routes work with; `sink` is undefined while the kiosk cannot take invitations. */
export type LanRouteDeps = {
  db: Database;
  sink: () => InvitationSink | undefined;
  settings: () => StoredSettings;
  catalog: () => Catalog;
  now: () => number;
  log: Logger;
};

/** InvitationRequest bodies: 16 KB is many times the largest one (facts included). */
export const INVITATION_BODY_LIMIT = 16 * 1024;
/** A pairing body is a code and a label. */
export const PAIR_BODY_LIMIT = 1024;

const iso = (ms: number) => new Date(ms).toISOString();

/** `logRefusal`: the server's budgeted refusal log, so a stream of pairing guesses cannot flood the log. */
export const pair = async (
  d: LanRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  logRefusal: (line: string) => void,
): Promise<void> => {
  const body = await readJsonBody(req, PAIR_BODY_LIMIT);
  if (!body.ok) return sendError(res, body.error);
  const parsed = PairRequest.safeParse(body.value);
  if (!parsed.success)
    return sendError(res, {
      error: 'invalid_request',
      message: 'expected { code, label }',
      issues: issuesOf(parsed.error.issues),
    });
  const r = redeemPairingCode(d.db, parsed.data.code, parsed.data.label, d.now());
  if (!r.ok) {
    logRefusal(`lan bridge: pairing refused (${r.reason}) from ${req.socket.remoteAddress ?? '?'}`);
    return r.reason === 'no_code'
      ? sendError(res, {
          error: 'no_code',
          message: 'no pairing code is open: show a new one on the kiosk admin panel',
        })
      : sendError(res, {
          error: 'wrong_code',
          message:
            r.attemptsLeft > 0
              ? 'wrong pairing code'
              : 'wrong pairing code; the code is now void: show a new one on the kiosk admin panel',
          attemptsLeft: r.attemptsLeft,
        });
  }
  audit(d.db, 'system', 'lan_client_paired', { clientId: r.client.id, label: r.client.label });
  d.log('info', `lan bridge: paired client ${r.client.id} (${r.client.label})`);
  sendJson(res, 201, { clientId: r.client.id, label: r.client.label, token: r.token });
};

/** The invitation a request asks for, issued now on this kiosk's clock; its lifetime IT's default unless asked. */
const invitationFrom = (r: InvitationRequest, now: number, defaultTtlSeconds: number): Invitation => ({
  id: uuidv7(now),
  counterId: r.counterId,
  caseNumber: r.caseNumber,
  procedureCode: r.procedureCode,
  officerId: r.officerId ?? null,
  ...(r.facts ? { facts: r.facts } : {}),
  issuedAt: iso(now),
  expiresAt: iso(now + (r.ttlSeconds ?? defaultTtlSeconds) * 1000),
});

const unavailable = (res: ServerResponse) =>
  sendError(res, { error: 'kiosk_unavailable', message: 'the kiosk cannot take invitations right now; try again' });

export const postInvitation = async (
  d: LanRouteDeps,
  senders: InvitationSenders,
  client: LanClient,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const body = await readJsonBody(req, INVITATION_BODY_LIMIT);
  if (!body.ok) return sendError(res, body.error);
  const parsed = InvitationRequest.safeParse(body.value);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error.issues);
    const fields = [...new Set(issues.map((i) => i.path || '(body)'))].join(', ');
    return sendError(res, { error: 'invalid_request', message: `invalid invitation: ${fields}`, issues });
  }
  const request = parsed.data;
  if (!d.settings().counters.some((c) => c.id === request.counterId))
    return sendError(res, {
      error: 'unknown_counter',
      message: `counter ${request.counterId} is not one of this kiosk's counters`,
    });
  const sink = d.sink();
  if (!sink) return unavailable(res);
  const invitation = invitationFrom(request, d.now(), d.settings().invitationTtlSeconds);
  let r: ReturnType<InvitationSink['receive']>;
  try {
    r = sink.receive(invitation, 'lan');
  } catch (e) {
    d.log('error', `lan bridge: the kiosk could not take invitation ${invitation.id}: ${errorMessage(e)}`);
    return unavailable(res);
  }
  if (!r.ok) {
    d.log('warn', `lan bridge: invitation from client ${client.id} refused by the kiosk (${r.code})`);
    return sendError(res, { error: r.code === 'invalid' ? 'invalid_request' : r.code, message: r.message });
  }
  senders.record(invitation.id, client.id);
  d.log('info', `lan bridge: invitation ${invitation.id} from client ${client.id} is ${r.status}`);
  sendJson(res, 201, { invitation, status: r.status });
};

/**
 * The status of an invitation this client sent. Any other id, unknown or sent by someone else (another
 * PC, central, kioskctl), gets the same 404, looked up no further; a probe for another PC's is logged.
 */
export const getInvitation = (
  d: LanRouteDeps,
  senders: InvitationSenders,
  client: LanClient,
  id: string,
  res: ServerResponse,
  logRefusal: (line: string) => void,
): void => {
  if (!UuidV7.safeParse(id).success)
    return sendError(res, {
      error: 'invalid_request',
      message: 'expected an invitation id (UUIDv7)',
      issues: [{ path: 'id', message: 'expected a UUIDv7' }],
    });
  const notFound = () => sendError(res, { error: 'not_found', message: `no invitation ${id} on this kiosk` });
  const sender = senders.senderOf(id);
  if (sender !== client.id) {
    if (sender !== undefined)
      logRefusal(
        `lan bridge: refused the status of invitation ${id} to client ${client.id} (${res.req.socket.remoteAddress ?? '?'}): sent by client ${sender}`,
      );
    return notFound();
  }
  const sink = d.sink();
  if (!sink) return unavailable(res);
  const status = sink.statusOf(id);
  if (status === undefined) return notFound();
  sendJson(res, 200, { id, status });
};

export const getProcedures = (d: LanRouteDeps, res: ServerResponse): void => {
  const body: LanProcedures = {
    procedures: d.catalog().procedures.map((p) => ({ code: p.code, name: p.name, field: p.field })),
    counters: d.settings().counters,
  };
  sendJson(res, 200, body);
};
