import type { Database } from 'better-sqlite3';
import { errorMessage } from '../../../shared/error-message.ts';
import { Invitation, type InvitationStatusUpdate } from '../../../shared/invitation.ts';
import type { Clock, Logger } from '../runtime.ts';
import { localDeadline } from './deadline.ts';
import type { InvitationSink, InvitationSource, ReceiveResult } from './sink.ts';
import {
  type InvitationRow,
  type InvitationStore,
  type LocalStatus,
  invitationStore,
  statusUpdateOf,
} from './store.ts';
import { createWaiters } from './waiters.ts';

const ENDED_AT_CENTRAL = 'no longer open at central (replaced, answered or expired there while this kiosk was away)';

/** Ends the current invitation if it came from central and `ids` (what central holds open) lacks it; whether it did. */
const endUnlisted =
  (db: Database, store: InvitationStore, current: () => InvitationRow | undefined, nowMs: number) =>
  (ids: ReadonlySet<string>): boolean =>
    db
      .transaction((): boolean => {
        const row = current();
        if (!row || row.source !== 'central' || ids.has(row.id)) return false;
        return store.replaceDelivered(nowMs, ENDED_AT_CENTRAL) > 0;
      })
      .immediate();

/** The expiry timer never fires more often than this (a test's frozen clock must not spin it). */
const MIN_TIMER_MS = 250;

export type Invitations = InvitationSink & {
  /** The invitation waiting for its citizen now; one past its local deadline is marked expired at this read. */
  current: () => InvitationRow | undefined;
  /**
   * Inside the response's own transaction: links a complete response to the invitation it answers.
   * False (nothing linked) when the invitation expired, was replaced or was answered meanwhile.
   */
  answerIn: (invitationId: string, responseId: string, nowMs: number) => boolean;
  /**
   * Staff chose an assignment on the kiosk itself: the invitation waiting ends (replaced, with the
   * reason), so what staff chose is what the next citizen rates.
   */
  withdraw: (reason: string) => void;
  /**
   * Central holds open only `ids` (its stream's `open` event, plus what came on that connection): the
   * current invitation from central, if not among them, ended there while this kiosk was away and is
   * shown no longer (`replaced`, with the reason).
   */
  centralOpen: (ids: ReadonlySet<string>) => void;
  /** After a commit that may have changed the current invitation (an answer): wake the screens, re-arm the timer. */
  changed: () => void;
  /** Resolves when the current invitation is no longer `knownId` (or after `waitMs`) with the one current then. */
  waitForChange: (knownId: string | null, waitMs: number) => Promise<InvitationRow | undefined>;
  /** Central's invitations whose status as it stands now central has not acknowledged, oldest change first. */
  pendingReports: (limit: number) => InvitationStatusUpdate[];
  /** Central acknowledged these; a row that changed since it was read stays pending. */
  markReported: (updates: readonly InvitationStatusUpdate[]) => void;
  recent: (limit: number) => InvitationRow[];
  /** The invitation received last, whatever its status (the officer's display). */
  latest: () => InvitationRow | undefined;
  close: () => void;
};

export type InvitationsOptions = {
  db: Database;
  clock: Clock;
  log: Logger;
  /** Whether the configuration in force has this procedure. */
  knownProcedure: (code: string) => boolean;
};

/**
 * Whether an invitation arrives after a newer one from the same issuer is shown (a catch-up racing a
 * live send on reconnect): it was replaced where it was issued, so it must not replace what is shown.
 * Issuers' clocks differ, so only the same source's times are compared.
 */
const olderThanShown = (shown: InvitationRow | undefined, invitation: Invitation, source: InvitationSource) =>
  shown !== undefined && shown.source === source && Date.parse(shown.issued_at) > Date.parse(invitation.issuedAt);

/** Kiosk clock minus central's as the last heartbeat measured it, or null before the first. */
const centralOffset = (db: Database): number | null => {
  const row = db.prepare('SELECT clock_drift_ms AS drift FROM sync_status WHERE id = 1').get() as
    { drift: number | null } | undefined;
  return row?.drift ?? null;
};

/**
 * The kiosk core's invitations (issue 11): the one InvitationSink every way in hands an invitation to.
 * At most one invitation is `delivered` (the current one) at a time: a new one replaces it; its local
 * deadline expires it (a timer, and a check at every read); a complete response answers it in the
 * response's own transaction. Each id is taken once: delivery is at least once, the screen shows it once.
 */
export const createInvitations = (options: InvitationsOptions): Invitations => {
  const { db, clock, log, knownProcedure } = options;
  const store = invitationStore(db);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const current = (): InvitationRow | undefined => {
    const row = store.delivered();
    if (!row || row.expires_local_ms > clock.now()) return row;
    try {
      store.expireDue(clock.now());
    } catch (e) {
      // A read must not fail for want of this write (a full or read-only disk): past its deadline, it is
      // not current either way; the expiry is written at the next read that can.
      log('warn', `invitation expiry not written: ${errorMessage(e)}`);
      return undefined;
    }
    return store.delivered();
  };
  const waiters = createWaiters(
    db,
    () => current()?.id ?? null,
    () => changed(),
  );

  /** Arms one timer for the current invitation's deadline; at it, the expiry is written and the screens woken. */
  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (closed || !db.open) return;
    const row = store.delivered();
    if (!row) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        try {
          if (db.open && store.expireDue(clock.now()) > 0) waiters.notify();
          arm();
        } catch (e) {
          log('warn', `invitation expiry not written: ${errorMessage(e)}`);
        }
      },
      Math.max(MIN_TIMER_MS, row.expires_local_ms - clock.now()),
    );
    timer.unref();
  };

  const changed = (): void => {
    current(); // writes an expiry that is due, so what the screens and central hear is what stands
    waiters.notify();
    arm();
  };

  const take = db.transaction((invitation: Invitation, source: InvitationSource): ReceiveResult => {
    const seen = store.byId(invitation.id);
    if (seen) return { ok: true, status: seen.status, duplicate: true };
    const now = clock.now();
    const deadlineMs = localDeadline(invitation, now, source === 'central' ? centralOffset(db) : 0);
    const keep = (status: LocalStatus, reason: string | null) =>
      store.insert({ invitation, source, receivedMs: now, deadlineMs, status, reason });
    if (!knownProcedure(invitation.procedureCode)) {
      const message = `procedure ${invitation.procedureCode} is not in this kiosk's configuration`;
      keep('refused', message);
      return { ok: false, code: 'unknown_procedure', message };
    }
    if (deadlineMs <= now) {
      keep('expired', 'expired before it reached the kiosk');
      return { ok: false, code: 'expired', message: `invitation ${invitation.id} expired before it arrived` };
    }
    store.expireDue(now);
    if (olderThanShown(store.delivered(), invitation, source)) {
      keep('replaced', 'a newer invitation from the same issuer is already shown');
      return { ok: true, status: 'replaced', duplicate: false };
    }
    store.replaceDelivered(now, 'the next invitation for this counter arrived');
    keep('delivered', null);
    return { ok: true, status: 'delivered', duplicate: false };
  });

  return {
    receive: (invitation, source) => {
      const parsed = Invitation.safeParse(invitation);
      if (!parsed.success)
        return { ok: false, code: 'invalid', message: parsed.error.issues[0]?.message ?? 'not an invitation' };
      const result = take.immediate(parsed.data, source);
      if (result.ok && !result.duplicate) changed();
      else if (!result.ok) log('warn', `invitation refused: ${result.message}`, { id: parsed.data.id, source });
      return result;
    },
    statusOf: (invitationId) => {
      current(); // an invitation past its deadline reads as expired, timer or not
      return store.byId(invitationId)?.status;
    },
    current,
    answerIn: store.answer,
    withdraw: (reason) => {
      if (store.replaceDelivered(clock.now(), reason) > 0) changed();
    },
    centralOpen: (ids) => {
      if (endUnlisted(db, store, current, clock.now())(ids)) changed();
    },
    changed,
    waitForChange: async (knownId, waitMs) => {
      await waiters.wait(knownId, waitMs);
      return db.open ? current() : undefined;
    },
    pendingReports: (limit) => {
      current();
      return store.unreported(limit).map(statusUpdateOf);
    },
    markReported: (updates) => {
      db.transaction(() => updates.forEach((u) => store.markReported(u))).immediate();
    },
    latest: () => {
      current();
      return store.recent(1)[0];
    },
    recent: (limit) => {
      current();
      return store.recent(limit);
    },
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      waiters.close();
    },
  };
};
