import { z } from 'zod';
import type { SealedContact } from '../../shared/follow-up.ts';
import { Int, firstRow } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { followUpSettings } from './settings.ts';
import { dueAfterWorkingDays } from './working-days.ts';

export type ContactsOutcome = { stored: number; dropped: number };

const Stored = z.object({ n: Int });

/**
 * Step of storeBatch, in the batch's transaction: one follow-up per contact whose response is stored
 * under its id WITH THE SAME CONTENT as in this batch (inserted now, or a re-send of one stored
 * before). The first copy is kept on a re-send (ON CONFLICT DO NOTHING); a contact of a response that
 * was refused or conflicts is dropped and counted, never stored. Due N working days after the citizen
 * asked (the kiosk's clock, but never later than the receipt: a kiosk clock ahead cannot push it back).
 */
export const storeContacts = async (
  tx: Queryable,
  batch: { deviceId: string; unitId: string; now: Date },
  contacts: readonly SealedContact[],
  hashOf: ReadonlyMap<string, string>,
): Promise<ContactsOutcome> => {
  if (contacts.length === 0) return { stored: 0, dropped: 0 };
  const settings = await followUpSettings(tx);
  const rows = contacts.map((c) => {
    const given = new Date(c.consent.givenAt);
    const asked = given.getTime() < batch.now.getTime() ? given : batch.now;
    return {
      id: c.responseId,
      hash: hashOf.get(c.responseId) ?? '',
      purpose: c.consent.purpose,
      text_version: c.consent.textVersion,
      locale: c.consent.locale,
      given_at: c.consent.givenAt,
      sealed: c.sealed,
      due_at: dueAfterWorkingDays(asked, settings.dueWorkingDays, settings.holidays).toISOString(),
    };
  });
  const inserted = firstRow(
    Stored,
    await tx.query(
      `WITH ins AS (
         INSERT INTO follow_ups (device_id, response_id, unit_id, consent_purpose, consent_text_version, consent_locale,
                                 consent_given_at, sealed, received_at, due_at)
         SELECT $1, t.id, $2, t.purpose, t.text_version, t.locale, t.given_at, t.sealed, $3, t.due_at
           FROM json_to_recordset($4::json) AS t (id uuid, hash text, purpose text, text_version text, locale text,
                                                  given_at timestamptz, sealed jsonb, due_at timestamptz)
           JOIN responses r ON r.device_id = $1 AND r.response_id = t.id AND r.content_hash = t.hash
         ON CONFLICT (device_id, response_id) DO NOTHING
         RETURNING 1
       ) SELECT count(*) AS n FROM ins`,
      [batch.deviceId, batch.unitId, batch.now, JSON.stringify(rows)],
    ),
  );
  // A re-sent contact whose follow-up exists is not "dropped": it is the same one, already kept.
  const kept = firstRow(
    Stored,
    await tx.query(
      `SELECT count(*) AS n FROM follow_ups f JOIN responses r USING (device_id, response_id)
        WHERE f.device_id = $1 AND f.response_id = ANY($2::uuid[]) AND r.content_hash = ANY($3::text[])`,
      [batch.deviceId, rows.map((r) => r.id), rows.map((r) => r.hash)],
    ),
  );
  const stored = inserted?.n ?? 0;
  return { stored, dropped: contacts.length - (kept?.n ?? stored) };
};
