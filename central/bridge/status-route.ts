import type { FastifyInstance } from 'fastify';
import { INVITATION_STREAM, InvitationStatusReport } from '../../shared/invitation.ts';
import { parseJsonBody, parseOrThrow } from '../errors.ts';
import { type RouteContext, rawBody } from '../routes/context.ts';
import { authenticateDevice } from '../routes/device-auth.ts';
import { applyStatusUpdates } from './status.ts';

export const STATUS_ROUTE = INVITATION_STREAM.statusPath.replace(/^\/v1/, '');

/**
 * POST /v1/invitations/status (device-signed): the kiosk's status updates (InvitationStatusReport),
 * applied in one transaction (status.ts says how). 200 with the counts whatever they were: an update
 * for an unknown invitation, or another unit's, is acknowledged and ignored, so a kiosk never retries
 * it forever.
 */
export const statusRoute = (app: FastifyInstance, ctx: RouteContext): void => {
  app.post(STATUS_ROUTE, async (req, reply) => {
    const body = rawBody(req);
    const { device } = await authenticateDevice(ctx, req, body);
    const report = parseOrThrow(InvitationStatusReport, parseJsonBody(body), 'invitation status report');
    const outcome = await ctx.db.transaction((tx) => applyStatusUpdates(tx, device.unitId, report.updates, ctx.now()));
    return reply.code(200).send(outcome);
  });
};
