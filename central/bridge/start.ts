import type { FastifyInstance } from 'fastify';
import { INVITATION_STREAM } from '../../shared/invitation.ts';
import type { CentralDb } from '../db/types.ts';
import { startPeriodicJob } from '../jobs/periodic.ts';
import type { Budget } from '../routes/rate-limit.ts';
import { DEFAULT_PER_KEY_BUDGET } from './counter-routes.ts';
import { invitationExpiryJob } from './expiry.ts';
import { startInvitationHub } from './hub.ts';
import type { BridgeRouteOptions } from './routes.ts';

export type BridgeOptions = {
  perKey?: Budget | false;
  keepAliveMs?: number;
  expiryJob?: false;
  now: () => Date;
  log: (message: string) => void;
};

/**
 * Starts this instance's part of the counter bridge: the stream hub (listening for invitations issued
 * anywhere on the database) and the expiry job. Open streams are ended before the server closes
 * (preClose): held-open replies would otherwise keep close() waiting for ever.
 */
export const startBridge = async (
  app: FastifyInstance,
  db: CentralDb,
  jobDb: CentralDb,
  options: BridgeOptions,
): Promise<BridgeRouteOptions> => {
  const hub = await startInvitationHub(db, {
    now: options.now,
    log: options.log,
    keepAliveMs: options.keepAliveMs ?? INVITATION_STREAM.keepAliveSeconds * 1000,
  });
  app.addHook('preClose', async () => hub.close());
  if (options.expiryJob !== false) {
    const expiry = startPeriodicJob(jobDb, invitationExpiryJob, options.log);
    app.addHook('onClose', () => expiry.stop());
  }
  return { hub, perKey: options.perKey === undefined ? DEFAULT_PER_KEY_BUDGET : options.perKey };
};
