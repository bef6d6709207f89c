// The console's counter bridge pages (issue 11): integration keys for the province admin, and the
// officer's send page (role checks, CSRF, unit scope, another unit's counter refused).
import { expect, test } from 'vitest';
import type { AdminRole } from '../../central/console/auth/users.ts';
import { enrolled } from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { sharedCentral } from './backends.ts';
import { PROCEDURE, bridgeCount, openStream, placedKiosk, postInvitation, unitWithConfig } from './bridge-support.ts';

// PGlite only: the pages run the same SQL as the API, which is tested on both backends.
const central = sharedCentral('pglite');
let n = 0;
const account = async (role: AdminRole, unit: string | null) => {
  const username = `br-${role.slice(0, 4)}-${++n}`;
  await makeAccount(central().db, username, role, unit);
  const c = new ConsoleClient(central().url);
  await c.login(username);
  return c;
};

test('keys page: admin creates a key (secret shown once, works on the API), revokes it (refused at once); others are forbidden; CSRF checked', async () => {
  await placedKiosk(central(), 'default', 'quay-keys');
  const admin = await account('province_admin', null);
  expect((await admin.get('/bridge/keys')).status).toBe(200);
  const bad = await admin.post('/bridge/keys', { label: '', units: 'no-such-unit' });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('no-such-unit');
  expect((await admin.post('/bridge/keys', { label: 'Một cửa', units: 'default' }, { csrf: null })).status).toBe(403);
  const made = await admin.post('/bridge/keys', { label: 'Một cửa', units: 'default' });
  expect(made.status).toBe(200);
  const secret = /data-testid="key-secret">(kb_[A-Za-z0-9_-]{43})</.exec(made.text)?.[1];
  expect(secret).toBeDefined();
  expect((await admin.get('/bridge/keys')).text).not.toContain(secret!);
  const body = { unitId: 'default', counterId: 'quay-keys', caseNumber: 'HS-CK', procedureCode: PROCEDURE() };
  expect((await postInvitation(central(), secret, body)).status).toBe(201);
  const id = (await central().db.query('SELECT id FROM integration_keys WHERE label = $1', ['Một cửa'])).rows[0]!['id'];
  const revoked = await admin.post(`/bridge/keys/${String(id)}/revoke`);
  expect(revoked.status).toBe(200);
  expect(revoked.text).toContain('data-testid="key-revoked"');
  expect((await postInvitation(central(), secret, body)).status).toBe(401);
  for (const role of ['unit_viewer', 'counter_officer', 'follow_up_officer'] as const) {
    const other = await account(role, 'default');
    expect((await other.get('/bridge/keys')).status).toBe(403);
    expect((await other.post('/bridge/keys', { label: 'x', units: 'default' })).status).toBe(403);
  }
});

test('send page: a counter officer sends to its counter and sees the status; a unit viewer cannot; another unit is refused', async () => {
  await unitWithConfig(central(), 'xa-send');
  await unitWithConfig(central(), 'xa-other');
  const kiosk = await placedKiosk(central(), 'xa-send', 'quay-s');
  await placedKiosk(central(), 'xa-other', 'quay-o');
  const officer = await account('counter_officer', 'xa-send');
  const page = await officer.get('/bridge/send');
  expect(page.status).toBe(200);
  expect(page.text).toContain('value="quay-s"');
  expect(page.text).not.toContain('quay-o');
  const stream = await openStream(central(), kiosk);
  try {
    const fields = {
      unit: 'xa-send',
      counter: 'quay-s',
      caseNumber: 'HS-CONSOLE',
      procedure: PROCEDURE(),
      officer: 'cb-2',
    };
    expect((await officer.post('/bridge/send', fields, { csrf: null })).status).toBe(403);
    const before = await bridgeCount(central());
    const bad = await officer.post('/bridge/send', { ...fields, caseNumber: 'HS CONSOLE!' });
    expect(bad.status).toBe(400);
    const wrongProc = await officer.post('/bridge/send', { ...fields, procedure: '9.999999' });
    expect(wrongProc.status).toBe(422);
    // Another unit's counter, or another unit outright: refused, nothing stored.
    expect((await officer.post('/bridge/send', { ...fields, counter: 'quay-o' })).status).toBe(422);
    expect((await officer.post('/bridge/send', { ...fields, unit: 'xa-other', counter: 'quay-o' })).status).toBe(400);
    expect(await bridgeCount(central())).toBe(before);
    const sent = await officer.post('/bridge/send', fields);
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('data-testid="sent"');
    const [got] = await stream.waitFor(1);
    expect(got).toMatchObject({ caseNumber: 'HS-CONSOLE', officerId: 'cb-2', counterId: 'quay-s' });
    expect(sent.text).toContain('data-status="waiting"');
    const issuedBy = await central().db.query('SELECT issued_by FROM bridge_invitations WHERE id = $1', [got!.id]);
    expect(String(issuedBy.rows[0]!['issued_by'])).toMatch(/^user:/);
    // The refreshing list, for its own unit only.
    const recent = await officer.get('/bridge/recent?unit=xa-send&counter=quay-s');
    expect(recent.text).toContain('HS-CONSOLE');
    expect((await officer.get('/bridge/recent?unit=xa-other&counter=quay-o')).status).toBe(404);
    const viewer = await account('unit_viewer', 'xa-send');
    expect((await viewer.get('/bridge/send')).status).toBe(403);
    expect((await viewer.post('/bridge/send', fields)).status).toBe(403);
    expect((await (await account('province_admin', null)).get('/bridge/send?unit=xa-other')).text).toContain('quay-o');
  } finally {
    stream.close();
  }
});

test('device page: a province admin places a kiosk at a counter (audited); a unit viewer sees it but cannot change it', async () => {
  const kiosk = await enrolled(central());
  const admin = await account('province_admin', null);
  expect((await admin.get(`/devices/${kiosk.id}`)).text).toContain('data-testid="counter-form"');
  expect((await admin.post(`/devices/${kiosk.id}/counter`, { counter: 'quầy 1' })).status).toBe(400);
  expect((await admin.post(`/devices/${kiosk.id}/counter`, { counter: 'quay-dev' }, { csrf: null })).status).toBe(403);
  const placed = await admin.post(`/devices/${kiosk.id}/counter`, { counter: 'quay-dev' });
  expect(placed.status).toBe(303);
  const row = await central().db.query('SELECT counter_id FROM devices WHERE id = $1', [kiosk.id]);
  expect(row.rows[0]).toEqual({ counter_id: 'quay-dev' });
  const audited = await central().db.query(`SELECT count(*) AS n FROM admin_audit WHERE action = 'device_counter_set'`);
  expect(Number(audited.rows[0]!['n'])).toBeGreaterThan(0);
  const viewer = await account('unit_viewer', 'default');
  expect((await viewer.get(`/devices/${kiosk.id}`)).text).toContain('quay-dev');
  expect((await viewer.post(`/devices/${kiosk.id}/counter`, { counter: 'quay-x' })).status).toBe(403);
  expect((await admin.post(`/devices/${kiosk.id}/counter`, { counter: '' })).status).toBe(303);
  expect((await central().db.query('SELECT counter_id FROM devices WHERE id = $1', [kiosk.id])).rows[0]).toEqual({
    counter_id: null,
  });
});
