import { z } from 'zod';
import { errorMessage } from '../../shared/error-message.ts';
import { Int, parseRows } from '../db/rows.ts';
import type { CentralDb, Queryable } from '../db/types.ts';
import { audit } from '../console/audit.ts';
import { followUpSettings } from './settings.ts';

/** Key of the advisory lock the retention job takes ("fupr" in ASCII): one instance erases at a time. */
const RETENTION_LOCK = 0x66757072;

const Erased = z.object({ id: Int, unit_id: z.string() });

/**
 * Erases one follow-up's contact: the sealed number and the notes' text go; the row (status, dates,
 * consent record) and the anonymous response stay, so the feedback figures still count it. Returns
 * false when it was already erased.
 */
export const eraseContact = async (
  tx: Queryable,
  id: number,
  reason: 'retention' | 'withdrawn',
  now: Date,
): Promise<boolean> => {
  const r = await tx.query(
    `UPDATE follow_ups SET sealed = NULL, erased_at = $2, erase_reason = $3 WHERE id = $1 AND erased_at IS NULL`,
    [id, now, reason],
  );
  if (r.rowCount === 0) return false;
  await tx.query(`UPDATE follow_up_notes SET note = '' WHERE follow_up_id = $1`, [id]);
  return true;
};

export type RetentionRun = { ran: boolean; erased: number };

/**
 * The retention job: erases the contact of every case closed at least `retentionDays` ago, with one
 * audit row each (no user: the job). Takes a transaction-level advisory lock without waiting: when
 * another instance is already erasing, this one does nothing (ran: false) and tries at its next turn.
 */
export const eraseExpiredContacts = (db: CentralDb, now: Date): Promise<RetentionRun> =>
  db.transaction(async (tx) => {
    const got = await tx.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK]);
    if (got.rows[0]?.['ok'] !== true) return { ran: false, erased: 0 };
    const { retentionDays } = await followUpSettings(tx);
    const due = parseRows(
      Erased,
      await tx.query(
        `SELECT id, unit_id FROM follow_ups
          WHERE erased_at IS NULL AND closed_at IS NOT NULL AND closed_at <= $1::timestamptz - make_interval(days => $2)
          ORDER BY id LIMIT 1000 FOR UPDATE`,
        [now, retentionDays],
      ),
    );
    for (const f of due) {
      await eraseContact(tx, f.id, 'retention', now);
      await audit(tx, {
        username: null,
        action: 'follow_up_erased',
        detail: { followUp: f.id, unit: f.unit_id, reason: 'retention' },
        at: now,
      });
    }
    return { ran: true, erased: due.length };
  });

export type RetentionTimer = { stop: () => Promise<void> };

/** Runs the retention job now and then every `everyMs` (default one hour). Never throws; stop() waits for a run. */
export const startRetentionTimer = (
  db: CentralDb,
  options: { everyMs?: number; now?: () => Date; log: (message: string) => void },
): RetentionTimer => {
  const everyMs = options.everyMs ?? 3_600_000;
  const now = options.now ?? (() => new Date());
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      await eraseExpiredContacts(db, now());
    } catch (e) {
      options.log(`central: follow-up retention job failed (retried at its next turn): ${errorMessage(e)}`);
    }
  };
  const schedule = (wait: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule(everyMs);
      });
    }, wait);
    timer.unref();
  };
  schedule(Math.min(everyMs, 5_000));
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};
