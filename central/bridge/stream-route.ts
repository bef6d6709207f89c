import type { FastifyInstance } from 'fastify';
import { INVITATION_STREAM, type Invitation, type OpenInvitations } from '../../shared/invitation.ts';
import { errorMessage } from '../../shared/error-message.ts';
import { REQUEST_ID_HEADER } from '../observe/logger.ts';
import type { RouteContext } from '../routes/context.ts';
import { authenticateDevice } from '../routes/device-auth.ts';
import type { InvitationHub } from './hub.ts';
import { openInvitationsForDevice } from './store.ts';

/** The stream's path under /v1 (INVITATION_STREAM.path is the full one). */
export const STREAM_ROUTE = INVITATION_STREAM.path.replace(/^\/v1/, '');

const event = (invitation: Invitation): string =>
  `event: ${INVITATION_STREAM.event}\nid: ${invitation.id}\ndata: ${JSON.stringify(invitation)}\n\n`;

const openEvent = (open: readonly Invitation[]): string =>
  `event: ${INVITATION_STREAM.openEvent}\ndata: ${JSON.stringify({ ids: open.slice(0, 100).map((i) => i.id) } satisfies OpenInvitations)}\n\n`;

/**
 * GET /v1/invitations/stream (device-signed, empty body): server-sent events. After the signature the
 * reply is taken over from Fastify and held open; first every open, unexpired invitation for the
 * device's counter (so a reconnecting kiosk catches up: delivery is at least once) and the ids of what
 * is open (`event: open`, shared/invitation.ts OpenInvitations), then each new one
 * as it is issued (the hub). Nothing past its expiry is ever sent. Refusals before the stream starts
 * are ordinary JSON errors (unknown device 401, revoked 403).
 */
export const streamRoute = (app: FastifyInstance, ctx: RouteContext, hub: InvitationHub): void => {
  app.get(STREAM_ROUTE, async (req, reply) => {
    const { device } = await authenticateDevice(ctx, req, Buffer.alloc(0));
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx and similar proxies would otherwise buffer the events.
      'x-accel-buffering': 'no',
      // Never reused: when the stream ends (server closing), the socket goes with it instead of idling.
      connection: 'close',
      [REQUEST_ID_HEADER]: req.id,
    });
    raw.write(': connected\n\n');
    const write = (text: string): void => {
      if (!raw.destroyed && !raw.writableEnded) raw.write(text);
    };
    const catchUp = (): void => {
      openInvitationsForDevice(ctx.db, device.id, ctx.now()).then(
        (open) => {
          open.forEach((i) => write(event(i)));
          // What is open now, so a kiosk back from an outage drops what ended at central meanwhile.
          write(openEvent(open));
        },
        (e: unknown) => req.log.warn(`bridge stream: catching up device ${device.id} failed: ${errorMessage(e)}`),
      );
    };
    // Registered before the catch-up reads, so nothing issued in between is missed (at worst sent twice).
    const remove = hub.add(device.unitId, {
      deviceId: device.id,
      send: (i) => write(event(i)),
      ping: () => write(': keep-alive\n\n'),
      // Ended and its socket destroyed: a kiosk that keeps its end open must not hold the server's close().
      end: () => raw.end(() => raw.socket?.destroy()),
      catchUp,
    });
    raw.on('close', remove);
    hub.hold(req.raw.socket);
    catchUp();
  });
};
