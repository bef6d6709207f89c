// The kiosks' side of the counter bridge (issue 11): the signed invitation stream (at once, again on
// reconnect while valid, never after expiry, replaced by the next) and idempotent status reports.
import { expect, test } from 'vitest';
import { invitationExpiryJob } from '../../central/bridge/expiry.ts';
import { runJobOnce } from '../../central/jobs/periodic.ts';
import type { InvitationStatusUpdate } from '../../shared/invitation.ts';
import { INVITATION_STREAM } from '../../shared/invitation.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type FakeDevice, makeDevice, signedFetch, startTestCentral } from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { PROCEDURE, newKey, openStream, placedKiosk, postInvitation, settle } from './bridge-support.ts';
import { expectSyncError } from './expect.ts';

/** The server's clock runs this far ahead of the real one (tests move it to expire invitations). */
let clockOffsetMs = 0;

forEachBackend('invitation stream and status', (backend) => {
  const central = sharedCentral(backend, {
    now: () => new Date(Date.now() + clockOffsetMs),
    bridge: { keepAliveMs: 200 },
  });
  let counter = 0;
  /** A kiosk at a counter of its own, and a key to invite it with. */
  const setup = async () => {
    const counterId = `quay-${++counter}`;
    const kiosk = await placedKiosk(central(), 'default', counterId);
    const key = await newKey(central(), ['default']);
    const invite = async (caseNumber: string, ttlSeconds?: number) => {
      const res = await postInvitation(central(), key.secret, {
        unitId: 'default',
        counterId,
        caseNumber,
        procedureCode: PROCEDURE(),
        ...(ttlSeconds ? { ttlSeconds } : {}),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { invitation: { id: string } }).invitation.id;
    };
    const statusOf = async (id: string) =>
      (await (
        await fetch(`${central().url}/v1/counter/invitations/${id}`, {
          headers: { authorization: `Bearer ${key.secret}` },
        })
      ).json()) as { status: string; responseId?: string };
    return { kiosk, counterId, invite, statusOf };
  };

  test('an invitation reaches the connected kiosk at its counter at once, and no other kiosk', async () => {
    const { kiosk, invite } = await setup();
    const elsewhere = await placedKiosk(central(), 'default', `quay-other-${counter}`);
    const stream = await openStream(central(), kiosk);
    const other = await openStream(central(), elsewhere);
    try {
      expect(stream.status).toBe(200);
      const started = performance.now();
      const id = await invite('HS-AT-ONCE');
      const [got] = await stream.waitFor(1, 2000);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(got).toMatchObject({ id, caseNumber: 'HS-AT-ONCE', procedureCode: PROCEDURE(), officerId: null });
      await settle();
      expect(other.received).toEqual([]);
      // Idle streams get a comment line now and then (keep-alive here every 200 ms).
      expect(stream.text()).toContain(': keep-alive');
    } finally {
      stream.close();
      other.close();
    }
  });

  test('a reconnecting kiosk gets the open invitation again; the next one replaces it', async () => {
    const { kiosk, invite, statusOf } = await setup();
    const first = await invite('HS-1');
    const a = await openStream(central(), kiosk);
    expect((await a.waitFor(1)).map((i) => i.id)).toEqual([first]);
    a.close();
    const b = await openStream(central(), kiosk);
    expect((await b.waitFor(1)).map((i) => i.id)).toEqual([first]);
    const second = await invite('HS-2');
    expect((await b.waitFor(2)).map((i) => i.id)).toEqual([first, second]);
    b.close();
    expect((await statusOf(first)).status).toBe('replaced');
    const c = await openStream(central(), kiosk);
    try {
      expect((await c.waitFor(1)).map((i) => i.id)).toEqual([second]);
      await settle();
      expect(c.received).toHaveLength(1);
    } finally {
      c.close();
    }
  });

  test('never after it expires: a kiosk connecting later gets nothing, and the status reads expired', async () => {
    const { kiosk, invite, statusOf } = await setup();
    const id = await invite('HS-EXP', 30);
    clockOffsetMs = 31_000;
    try {
      const late = await openStream(central(), kiosk);
      await settle();
      late.close();
      expect(late.status).toBe(200);
      expect(late.received).toEqual([]);
      expect((await statusOf(id)).status).toBe('expired');
    } finally {
      clockOffsetMs = 0;
    }
  });

  test('one that expired unseen stays expired when the next is issued (not "replaced")', async () => {
    const { invite, statusOf } = await setup();
    const lapsed = await invite('HS-LAPSED', 30);
    clockOffsetMs = 31_000;
    try {
      const next = await invite('HS-NEXT');
      expect(await statusOf(lapsed)).toMatchObject({ status: 'expired' });
      expect(await statusOf(next)).toMatchObject({ status: 'waiting' });
      // And the expiry job writes it down as expired, at its expiry.
      await central().db.query(
        `UPDATE bridge_invitations SET created_at = created_at - interval '1 minute',
        expires_at = expires_at - interval '1 minute' WHERE id = $1`,
        [lapsed],
      );
      expect(await runJobOnce(central().db, invitationExpiryJob)).toBe(true);
      const row = await central().db.query('SELECT status FROM bridge_invitations WHERE id = $1', [lapsed]);
      expect(row.rows).toEqual([{ status: 'expired' }]);
    } finally {
      clockOffsetMs = 0;
    }
  });

  test('status reports are idempotent; answered is final; another unit’s or an unknown id is acknowledged and ignored', async () => {
    const { kiosk, invite, statusOf } = await setup();
    const id = await invite('HS-ST');
    const report = (updates: Partial<InvitationStatusUpdate>[], device: FakeDevice = kiosk) =>
      signedFetch(central(), device, 'POST', INVITATION_STREAM.statusPath, {
        updates: updates.map((u) => ({ invitationId: id, at: new Date().toISOString(), ...u })),
      });
    const ok = async (res: Response) => {
      expect(res.status).toBe(200);
      return res.json();
    };
    expect(await ok(await report([{ status: 'delivered' }]))).toEqual({ applied: 1, unchanged: 0, unknown: 0 });
    expect(await ok(await report([{ status: 'delivered' }]))).toEqual({ applied: 0, unchanged: 1, unknown: 0 });
    expect((await statusOf(id)).status).toBe('delivered');
    const responseId = uuidv7();
    expect(await ok(await report([{ status: 'answered', responseId }]))).toMatchObject({ applied: 1 });
    expect(await ok(await report([{ status: 'answered', responseId }]))).toMatchObject({ unchanged: 1 });
    // expired or replaced arriving late never overwrite answered.
    expect(await ok(await report([{ status: 'expired' }, { status: 'replaced' }]))).toMatchObject({ unchanged: 2 });
    expect(await statusOf(id)).toMatchObject({ status: 'answered', responseId });
    expect(await ok(await report([{ status: 'expired', invitationId: uuidv7() }]))).toEqual({
      applied: 0,
      unchanged: 0,
      unknown: 1,
    });
    // A kiosk of another unit cannot touch it.
    const { kiosk: stranger } = { kiosk: await placedKiosk(central(), 'default', 'quay-stranger') };
    await central().db.query(`INSERT INTO units (id, name) VALUES ('xa-far', 'far') ON CONFLICT DO NOTHING`);
    await central().db.query(`UPDATE devices SET unit_id = 'xa-far' WHERE id = $1`, [stranger.id]);
    expect(await ok(await report([{ status: 'refused', reason: 'no' }], stranger))).toMatchObject({ unknown: 1 });
    expect((await statusOf(id)).status).toBe('answered');
    // Malformed: a status only central sets, or an unsigned call.
    await expectSyncError(await report([{ status: 'waiting' as never }]), 400, 'invalid_body', 'updates.0.status');
    const unsigned = await fetch(`${central().url}${INVITATION_STREAM.statusPath}`, {
      method: 'POST',
      body: JSON.stringify({ updates: [{ invitationId: id, status: 'expired', at: new Date().toISOString() }] }),
    });
    expect(unsigned.status).toBe(400);
    expect((await statusOf(id)).status).toBe('answered');
  });

  test('closing the server ends open streams (a kiosk holding one does not keep close() waiting)', async () => {
    const own = await startTestCentral(backend);
    const kiosk = await placedKiosk(own, 'default', 'quay-close');
    const stream = await openStream(own, kiosk);
    expect(stream.status).toBe(200);
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(5000);
    stream.close();
  });

  test('an unknown device cannot open the stream', async () => {
    const stream = await openStream(central(), makeDevice());
    expect(stream.status).toBe(401);
  });
});
