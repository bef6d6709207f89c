import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { CentralDb, Queryable } from '../db/types.ts';

/**
 * How an issued invitation reaches the instance a kiosk streams from. On PostgreSQL every instance
 * LISTENs on one channel and the issuing transaction NOTIFYs it (delivered at commit, to every
 * instance, this one included); on PGlite there is one process by construction, so an in-process
 * emitter per database does. The note names the invitation, never its content: the receiving
 * instance reads the row, so a rolled-back issue sends nothing and the payload limit never matters.
 */
export const INVITATION_CHANNEL = 'bridge_invitation';

export const InvitationNote = z.object({ id: z.uuid(), unitId: z.string(), counterId: z.string() });
export type InvitationNote = z.infer<typeof InvitationNote>;

const emitters = new WeakMap<CentralDb, EventEmitter>();

/** The in-process emitter of a PGlite database (the hub listens to it; issuing emits on it). */
export const localEmitter = (db: CentralDb): EventEmitter => {
  let e = emitters.get(db);
  if (!e) {
    e = new EventEmitter();
    // Each server on this database adds one listener; tests start several.
    e.setMaxListeners(0);
    emitters.set(db, e);
  }
  return e;
};

/**
 * Announces an issued invitation. Call with the issuing transaction (`tx`) BEFORE it commits: on
 * PostgreSQL the NOTIFY goes out with the commit; on PGlite the returned function emits, to be
 * called after the commit.
 */
export const announceInvitation = async (db: CentralDb, tx: Queryable, note: InvitationNote): Promise<() => void> => {
  if (db.kind === 'postgres') {
    await tx.query('SELECT pg_notify($1, $2)', [INVITATION_CHANNEL, JSON.stringify(note)]);
    return () => undefined;
  }
  return () => void localEmitter(db).emit(INVITATION_CHANNEL, note);
};
