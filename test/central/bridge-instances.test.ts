// The counter bridge across instances (issue 11): an invitation posted to one central instance reaches
// a kiosk streaming from another on the same PostgreSQL (LISTEN/NOTIFY), and one instance's expiry
// job writes expiries down once.
import { afterAll, describe, expect, test } from 'vitest';
import { invitationExpiryJob } from '../../central/bridge/expiry.ts';
import { type RunningCentral, startCentral } from '../../central/index.ts';
import { runJobOnce } from '../../central/jobs/periodic.ts';
import { newKeyPair } from '../../shared/node/signing.ts';
import { requirePostgresOrSkip, sharedPostgres, stopSharedPostgres } from '../support/postgres.ts';
import { PROCEDURE, newKey, openStream, placedKiosk, postInvitation } from './bridge-support.ts';

const postgres = requirePostgresOrSkip();
afterAll(stopSharedPostgres);

describe.skipIf(!postgres.ok)('counter bridge on two instances of one PostgreSQL', () => {
  test('an invitation posted to A reaches a kiosk streaming from B, at once', async () => {
    const url = await (await sharedPostgres()).createDatabase();
    const base = {
      databaseUrl: url,
      centralKey: newKeyPair(),
      host: '127.0.0.1',
      port: 0,
      reportDrain: false as const,
      rateLimit: { perIp: false as const, perDevice: false as const },
    };
    const a: RunningCentral = await startCentral(base);
    const b: RunningCentral = await startCentral(base);
    try {
      const kiosk = await placedKiosk(a, 'default', 'quay-1');
      const key = await newKey(a, ['default']);
      const stream = await openStream(b, kiosk);
      try {
        const started = performance.now();
        const res = await postInvitation(a, key.secret, {
          unitId: 'default',
          counterId: 'quay-1',
          caseNumber: 'HS-AB',
          procedureCode: PROCEDURE(),
          ttlSeconds: 30,
        });
        expect(res.status).toBe(201);
        const [got] = await stream.waitFor(1, 3000);
        expect(got?.caseNumber).toBe('HS-AB');
        expect(performance.now() - started).toBeLessThan(1500);
      } finally {
        stream.close();
      }
      // Past its time, the expiry job (on whichever instance gets the lock) writes it down, once.
      await a.db.query(
        `UPDATE bridge_invitations SET created_at = now() - interval '2 minutes', expires_at = now() - interval '1 minute'`,
      );
      expect(await runJobOnce(a.db, invitationExpiryJob)).toBe(true);
      const rows = await b.db.query('SELECT status, status_at = expires_at AS at_expiry FROM bridge_invitations');
      expect(rows.rows).toEqual([{ status: 'expired', at_expiry: true }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
