// The counter API for one-stop systems (issue 11, docs/counter-api.yaml): what it issues, and every
// refusal precise, before work, with nothing stored.
import { describe, expect, test } from 'vitest';
import { revokeIntegrationKey } from '../../central/bridge/keys.ts';
import { revokeDevice } from '../../central/index.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import {
  PROCEDURE,
  bridgeCount,
  newKey,
  openStream,
  placedKiosk,
  postInvitation,
  unitWithConfig,
} from './bridge-support.ts';
import { expectSyncError } from './expect.ts';

const BURST_BUDGET = 40;

forEachBackend('counter API', (backend) => {
  const central = sharedCentral(backend, { bridge: { perKey: { max: BURST_BUDGET, windowMs: 60_000 } } });
  const request = (more: Record<string, unknown> = {}) => ({
    unitId: 'default',
    counterId: 'quay-1',
    caseNumber: 'H12.34-240101-0001',
    procedureCode: PROCEDURE(),
    ...more,
  });

  test('issues an invitation (201, waiting), stored with its issuer, readable by id with the same key', async () => {
    await placedKiosk(central(), 'default', 'quay-1');
    const key = await newKey(central(), ['default']);
    const res = await postInvitation(central(), key.secret, request({ officerId: 'cb-07', ttlSeconds: 120 }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { invitation: { id: string; expiresAt: string; issuedAt: string } };
    expect(body).toMatchObject({ status: 'waiting', invitation: { counterId: 'quay-1', officerId: 'cb-07' } });
    expect(Date.parse(body.invitation.expiresAt) - Date.parse(body.invitation.issuedAt)).toBe(120_000);
    const row = (
      await central().db.query('SELECT issued_by FROM bridge_invitations WHERE id = $1', [body.invitation.id])
    ).rows[0];
    expect(row).toEqual({ issued_by: `key:${key.id}` });
    const used = await central().db.query('SELECT last_used_at FROM integration_keys WHERE id = $1', [key.id]);
    expect(used.rows[0]!['last_used_at']).not.toBeNull();
    const got = await fetch(`${central().url}/v1/counter/invitations/${body.invitation.id}`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ status: 'waiting', unitId: 'default', invitation: body.invitation });
  });

  test('no key, a malformed one, an unknown one and a revoked one: 401, nothing stored', async () => {
    await placedKiosk(central(), 'default', 'quay-1');
    const key = await newKey(central(), ['default']);
    expect(await revokeIntegrationKey(central().db, key.id, new Date())).toBe(true);
    const before = await bridgeCount(central());
    await expectSyncError(await postInvitation(central(), undefined, request()), 401, 'unknown_key');
    await expectSyncError(await postInvitation(central(), 'not-a-key', request()), 401, 'unknown_key');
    const unknown = `kb_${'A'.repeat(43)}`;
    await expectSyncError(await postInvitation(central(), unknown, request()), 401, 'unknown_key');
    const revoked = await expectSyncError(await postInvitation(central(), key.secret, request()), 401, 'key_revoked');
    expect(revoked.message).toContain('revoked');
    // The key is checked before the body is read: a revoked key with a huge body is still a 401.
    await expectSyncError(await postInvitation(central(), key.secret, 'x'.repeat(100_000)), 401, 'key_revoked');
    expect(await bridgeCount(central())).toBe(before);
  });

  test('a unit outside the key is 403; a unit under the key’s unit is in scope', async () => {
    await unitWithConfig(central(), 'tinh-a');
    await unitWithConfig(central(), 'xa-a1', 'tinh-a');
    await unitWithConfig(central(), 'tinh-b');
    await placedKiosk(central(), 'xa-a1', 'quay-1');
    await placedKiosk(central(), 'tinh-b', 'quay-1');
    const key = await newKey(central(), ['tinh-a']);
    const before = await bridgeCount(central());
    await expectSyncError(
      await postInvitation(central(), key.secret, request({ unitId: 'tinh-b' })),
      403,
      'unit_out_of_scope',
      'unitId',
    );
    expect(await bridgeCount(central())).toBe(before);
    expect((await postInvitation(central(), key.secret, request({ unitId: 'xa-a1' }))).status).toBe(201);
  });

  test('unknown procedure, malformed case number, counter of another unit, oversize: precise 4xx, nothing stored', async () => {
    await unitWithConfig(central(), 'xa-c');
    await placedKiosk(central(), 'default', 'quay-1');
    await placedKiosk(central(), 'xa-c', 'quay-xa-c');
    const key = await newKey(central(), ['default']);
    const before = await bridgeCount(central());
    const unknownProc = await expectSyncError(
      await postInvitation(central(), key.secret, request({ procedureCode: '9.999999' })),
      422,
      'unknown_procedure',
      'procedureCode',
    );
    expect(unknownProc.message).toContain('9.999999');
    await expectSyncError(
      await postInvitation(central(), key.secret, request({ caseNumber: 'HS 1; DROP' })),
      400,
      'invalid_body',
      'caseNumber',
    );
    await expectSyncError(
      await postInvitation(central(), key.secret, request({ counterId: 'quay-xa-c' })),
      422,
      'unknown_counter',
      'counterId',
    );
    await expectSyncError(
      await postInvitation(central(), key.secret, request({ ttlSeconds: 5 })),
      400,
      'invalid_body',
      'ttlSeconds',
    );
    await expectSyncError(await postInvitation(central(), key.secret, request({ extra: 1 })), 400, 'invalid_body');
    await expectSyncError(
      await postInvitation(central(), key.secret, request({ officerId: 'x'.repeat(17_000) })),
      413,
      'too_large',
    );
    expect(await bridgeCount(central())).toBe(before);
  });

  test('an invitation of a unit outside the key reads as not found', async () => {
    await unitWithConfig(central(), 'xa-d');
    await placedKiosk(central(), 'xa-d', 'quay-1');
    const owner = await newKey(central(), ['xa-d']);
    const other = await newKey(central(), ['default']);
    const res = await postInvitation(central(), owner.secret, request({ unitId: 'xa-d' }));
    const { invitation } = (await res.json()) as { invitation: { id: string } };
    const read = (secret: string, id: string) =>
      fetch(`${central().url}/v1/counter/invitations/${id}`, { headers: { authorization: `Bearer ${secret}` } });
    await expectSyncError(await read(other.secret, invitation.id), 404, 'not_found');
    await expectSyncError(await read(other.secret, 'not-a-uuid'), 404, 'not_found');
    expect((await read(owner.secret, invitation.id)).status).toBe(200);
  });

  test('a burst past the key’s budget is 429, only what was admitted is stored, and the stream still works', async () => {
    await unitWithConfig(central(), 'xa-burst');
    const kiosk = await placedKiosk(central(), 'xa-burst', 'quay-1');
    const key = await newKey(central(), ['xa-burst']);
    const body = request({ unitId: 'xa-burst' });
    const before = await bridgeCount(central());
    const statuses: number[] = [];
    const total = 1000;
    let next = 0;
    // As fast as loopback allows, 25 in flight at a time (bounded: the test must not starve the machine).
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < total) {
          next++;
          const res = await postInvitation(central(), key.secret, body);
          statuses.push(res.status);
          await res.arrayBuffer();
        }
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(BURST_BUDGET);
    expect(statuses.filter((s) => s === 429)).toHaveLength(total - BURST_BUDGET);
    expect((await bridgeCount(central())) - before).toBe(BURST_BUDGET);
    // The counter's invitations replaced each other: one is open.
    const open = await central().db.query(
      `SELECT count(*) AS n FROM bridge_invitations WHERE unit_id = 'xa-burst' AND status = 'waiting'`,
    );
    expect(Number(open.rows[0]!['n'])).toBe(1);
    // Another key still sends, and the kiosk's stream gets it.
    const stream = await openStream(central(), kiosk);
    try {
      const [first] = await stream.waitFor(1);
      const other = await newKey(central(), ['xa-burst']);
      const res = await postInvitation(central(), other.secret, { ...body, caseNumber: 'AFTER-BURST' });
      expect(res.status).toBe(201);
      const got = await stream.waitFor(2);
      expect(got.map((i) => i.caseNumber)).toEqual([first!.caseNumber, 'AFTER-BURST']);
    } finally {
      stream.close();
    }
  });

  describe('the kiosk side refuses what is not a placed, enrolled kiosk', () => {
    test('a revoked device cannot open the stream', async () => {
      const kiosk = await placedKiosk(central(), 'default', 'quay-9');
      await revokeDevice(central().db, kiosk.id);
      const stream = await openStream(central(), kiosk);
      expect(stream.status).toBe(403);
    });
  });
});
