import type { Socket } from 'node:net';
import type { Invitation } from '../../shared/invitation.ts';
import { errorMessage } from '../../shared/error-message.ts';
import type { CentralDb } from '../db/types.ts';
import { INVITATION_CHANNEL, InvitationNote, localEmitter } from './fan-out.ts';
import { openInvitation } from './store.ts';

/** One open stream: what the hub needs to reach it. Nothing else is kept per connection. */
export type StreamConnection = {
  deviceId: string;
  send: (invitation: Invitation) => void;
  /** A comment line, so NATs and proxies keep the idle connection. */
  ping: () => void;
  /** Ends the stream (the server is closing). */
  end: () => void;
  /** Sends what the device should show now (after the hub may have missed notifications). */
  catchUp: () => void;
};

export type InvitationHub = {
  /** Registers a stream; returns what unregisters it. */
  add: (unitId: string, connection: StreamConnection) => () => void;
  /**
   * Keeps a stream's socket until it closes, to destroy it when the server closes: a kiosk (or a
   * proxy) that keeps a dead stream's connection open must not hold close() for ever.
   */
  hold: (socket: Socket) => void;
  /** Open streams (metrics, tests). */
  size: () => number;
  /** Delivers an announced invitation to this instance's streams at its counter (exposed for tests). */
  deliver: (note: InvitationNote) => Promise<void>;
  close: () => Promise<void>;
};

export type HubOptions = { now: () => Date; log: (message: string) => void; keepAliveMs: number };

/**
 * This instance's open invitation streams, by unit, and the fan-out to them: an announced invitation
 * (fan-out.ts) goes to every stream of a device of its unit that stands at its counter, while it is
 * open and unexpired. Which devices stand at the counter is read per announcement (one query), so a
 * kiosk IT moves to another counter, or revokes, is served rightly without reconnecting. One timer
 * pings every stream; connections hold no buffers of their own.
 */
export const startInvitationHub = async (db: CentralDb, options: HubOptions): Promise<InvitationHub> => {
  const byUnit = new Map<string, Set<StreamConnection>>();
  let count = 0;
  const sockets = new Set<Socket>();
  const all = function* (): Generator<StreamConnection> {
    for (const set of byUnit.values()) yield* set;
  };

  const deliver = async (note: InvitationNote): Promise<void> => {
    const streams = byUnit.get(note.unitId);
    if (!streams || streams.size === 0) return;
    const placed = await db.query(
      'SELECT id FROM devices WHERE unit_id = $1 AND counter_id = $2 AND revoked_at IS NULL',
      [note.unitId, note.counterId],
    );
    const devices = new Set(placed.rows.map((r) => String(r['id'])));
    const targets = [...streams].filter((c) => devices.has(c.deviceId));
    if (targets.length === 0) return;
    const invitation = await openInvitation(db, note.id, options.now());
    if (!invitation) return;
    for (const c of targets) c.send(invitation);
  };
  const onNote = (payload: unknown): void => {
    const note = InvitationNote.safeParse(payload);
    if (!note.success) return options.log('central: bridge: an invitation notification that is not one was ignored');
    deliver(note.data).catch((e: unknown) =>
      options.log(`central: bridge: delivering invitation ${note.data.id} failed: ${errorMessage(e)}`),
    );
  };

  let stopListening: () => Promise<void>;
  if (db.kind === 'postgres' && db.listen) {
    stopListening = await db.listen(
      INVITATION_CHANNEL,
      (payload) => {
        try {
          onNote(JSON.parse(payload));
        } catch (e) {
          options.log(`central: bridge: unreadable notification: ${errorMessage(e)}`);
        }
      },
      // Notifications sent while the listening connection was down are lost: catch every stream up.
      () => {
        for (const c of all()) c.catchUp();
      },
    );
  } else {
    const emitter = localEmitter(db);
    emitter.on(INVITATION_CHANNEL, onNote);
    stopListening = async () => void emitter.off(INVITATION_CHANNEL, onNote);
  }

  const keepAlive = setInterval(() => {
    for (const c of all()) c.ping();
  }, options.keepAliveMs);
  keepAlive.unref();

  return {
    add: (unitId, connection) => {
      let set = byUnit.get(unitId);
      if (!set) byUnit.set(unitId, (set = new Set()));
      set.add(connection);
      count++;
      return () => {
        const s = byUnit.get(unitId);
        if (!s?.delete(connection)) return;
        count--;
        if (s.size === 0) byUnit.delete(unitId);
      };
    },
    hold: (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    },
    size: () => count,
    deliver,
    close: async () => {
      clearInterval(keepAlive);
      await stopListening();
      for (const c of [...all()]) c.end();
      byUnit.clear();
      count = 0;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
};
