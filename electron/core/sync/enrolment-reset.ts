import type { Database } from 'better-sqlite3';
import { type AuditActor, audit } from '../store/audit.ts';
import { ENROLMENT_KEY, readEnrolment } from './enrolment.ts';
import { type SeqRange, clearLastError, listExports, nextUnackedRun } from './sync-store.ts';

/**
 * Undoing an enrolment, so the kiosk can be enrolled with another central (or unit). Deliberate: the
 * admin panel asks for the admin PIN again and warns; kioskctl needs the command by name.
 *
 * Answers are never lost by a reset. Nothing is deleted (answers, acknowledgements, the device key and
 * the export ledger all stay), but once the kiosk is enrolled elsewhere its unsent answers would go to
 * the new central, and the old one would never see them. So a reset is refused while any answer is
 * neither acknowledged by the current central nor written to a verified .kbatch export (which the
 * old central still accepts: the device key is kept). IT syncs, or exports to USB, then resets.
 */

export type ResetResult =
  | { ok: true; previous: { centralUrl: string; unit: { id: string; name: string } } }
  | { ok: false; code: 'not_enrolled' | 'unsent_responses'; message: string; unsent: number };

const merge = (ranges: SeqRange[]): SeqRange[] => {
  const out: SeqRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = out.at(-1);
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
};

/** Answers neither acknowledged by central nor in an export file. */
export const unsentAndUnexported = (db: Database): number => {
  const exported = merge(listExports(db).map((e) => ({ from: e.seqFrom, to: e.seqTo })));
  let missing = 0;
  for (let run = nextUnackedRun(db); run; run = nextUnackedRun(db, run.to + 1)) {
    let covered = 0;
    for (const e of exported) covered += Math.max(0, Math.min(run.to, e.to) - Math.max(run.from, e.from) + 1);
    missing += run.to - run.from + 1 - covered;
  }
  return missing;
};

export const resetEnrolment = (db: Database, actor: AuditActor): ResetResult =>
  db
    .transaction((): ResetResult => {
      const current = readEnrolment(db);
      if (!current) return { ok: false, code: 'not_enrolled', message: 'this kiosk is not enrolled', unsent: 0 };
      const unsent = unsentAndUnexported(db);
      if (unsent > 0) {
        audit(db, actor, 'enrolment_reset_refused', { centralUrl: current.centralUrl, unsent });
        return {
          ok: false,
          code: 'unsent_responses',
          unsent,
          message:
            `${unsent} answer(s) have not reached ${current.centralUrl} and are not in a USB export: sync now, or ` +
            'export them to USB (for upload to that central), then reset',
        };
      }
      db.prepare('DELETE FROM state WHERE key = ?').run(ENROLMENT_KEY);
      clearLastError(db);
      audit(db, actor, 'enrolment_reset', { centralUrl: current.centralUrl, unit: current.unit });
      return { ok: true, previous: { centralUrl: current.centralUrl, unit: current.unit } };
    })
    .immediate();
