import { expect, test } from 'vitest';
import { listAudit } from '../../central/console/audit.ts';
import type { CentralDb } from '../../central/index.ts';
import { eraseExpiredContacts } from '../../central/follow-ups/retention.ts';
import { publishConfig } from '../../central/ops/configs.ts';
import { ensureUnit } from '../../central/ops/units.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import type { SealedContact } from '../../shared/follow-up.ts';
import { sealContact } from '../../shared/node/contact-seal.ts';
import { openSigned, publicKeyFrom } from '../../shared/node/signing.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { PublishedConfig } from '../../shared/sync.ts';
import {
  type FakeDevice,
  type TestCentral,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeResponse,
  postBatch,
  signedFetch,
} from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const PHONE = '0912345678';
const NAME = 'Nguyễn Thị Phản Hồi';
/** Monday 23 November 2026, 10:00 in Vietnam. */
const START = new Date('2026-11-23T03:00:00.000Z');
const DAY = 86_400_000;

/** The clock every request of this suite sees; tests move it. */
const clock = { now: START };

/** The contact key as the device receives it: from its signed configuration. */
const publishedKey = async (central: TestCentral, device: FakeDevice) => {
  const res = await signedFetch(central, device, 'GET', '/v1/config');
  expect(res.status).toBe(200);
  const opened = openSigned(await res.json(), publicKeyFrom(central.centralKey.publicKey));
  if (!opened.ok) throw new Error(opened.message);
  const key = PublishedConfig.parse(opened.value).contactKey;
  if (!key) throw new Error('the configuration carries no contact key');
  return key;
};

/** A dissatisfied response with its sealed contact, as the kiosk sends them. */
const lowRating = async (central: TestCentral, device: FakeDevice, seq: number, more: Partial<StoredResponse> = {}) => {
  const response = makeResponse(device, seq, {
    answers: { overall: 1, attitude: 1, time: 2, problems: ['cho-lau'] },
    ...more,
  });
  const contact: SealedContact = {
    responseId: response.id,
    consent: { purpose: 'follow-up', textVersion: 'fu-2026.1', locale: 'vi', givenAt: clock.now.toISOString() },
    sealed: sealContact(await publishedKey(central, device), response.id, { phone: '0912 345 678', name: NAME }),
  };
  return { response, contact };
};

const send = async (
  central: TestCentral,
  device: FakeDevice,
  responses: StoredResponse[],
  contacts: SealedContact[],
) => {
  const res = await postBatch(central, kbatchBytes(device, envelopeOf(device, responses, { contacts })));
  if (res.status !== 200) throw new Error(`batch: ${res.status} ${await res.text()}`);
  const ack = (await res.json()) as { inserted: number; refused: number };
  return ack;
};

/** Every row of every table as text: what a dump of the database would hold. */
const everyTableText = async (db: CentralDb): Promise<string> => {
  const names = (
    await db.query(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    )
  ).rows.map((r) => String(r['t']));
  let text = '';
  for (const t of names) {
    const rows = await db.query(`SELECT x::text AS row FROM "${t}" x`);
    text += rows.rows.map((r) => String(r['row'])).join('\n');
  }
  return text;
};

const followUpId = async (db: CentralDb, responseId: string): Promise<number> =>
  Number((await db.query('SELECT id FROM follow_ups WHERE response_id = $1', [responseId])).rows[0]?.['id']);

forEachBackend('follow-ups in the central service', (backend) => {
  const central = sharedCentral(backend, { now: () => clock.now, followUpRetention: false });
  const db = () => central().db;
  /** A unit whose kiosks get the embedded configuration (and with it the contact key). */
  const unit = async (id: string, parentId?: string) => {
    await ensureUnit(db(), { id, name: `Đơn vị ${id}`, ...(parentId ? { parentId } : {}) });
    const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
    if (!loaded.ok) throw new Error('the embedded configuration does not load');
    await publishConfig(db(), { unitId: id, config: loaded.config, centralKey: central().centralKey });
  };
  let n = 0;
  const account = async (role: 'province_admin' | 'unit_viewer' | 'follow_up_officer', unit: string | null) => {
    const username = `fu-${role.slice(0, 4)}-${++n}`;
    await makeAccount(db(), username, role, unit);
    const c = new ConsoleClient(central().url);
    await c.login(username);
    return Object.assign(c, { username });
  };
  /** A status change as the officer makes it on a later day (a new login: sessions end when idle). */
  const setStatus = async (c: ConsoleClient & { username: string }, id: number, to: string, note: string) => {
    await c.login(c.username);
    await c.get(`/follow-ups/${id}`);
    const page = await c.post(`/follow-ups/${id}/status`, { to, note });
    expect(page.status).toBe(303);
    expect(page.location).toMatch(new RegExp(`/console/follow-ups/${id}\\?done=saved$`));
  };

  test('end to end: a low rating with a sealed number -> officer list -> show number (audited) -> contacted -> resolved -> retention erases it', async () => {
    clock.now = START;
    await unit('fu-xa');
    const device = await enrolled(central(), undefined, 'fu-xa');
    const { response, contact } = await lowRating(central(), device, 1);
    expect(await send(central(), device, [response], [contact])).toMatchObject({ inserted: 1 });
    const id = await followUpId(db(), response.id);

    // The number is nowhere in clear: not in responses, not in any table of central's database.
    const dumped = await everyTableText(db());
    for (const needle of [PHONE, '912345678', '912 345 678', NAME]) expect(dumped).not.toContain(needle);
    expect(
      (await db().query(`SELECT r::text AS t FROM responses r WHERE response_id = $1`, [response.id])).rows[0]?.['t'],
    ).not.toContain(PHONE);

    const officer = await account('follow_up_officer', 'fu-xa');
    const list = await officer.get('/follow-ups');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`data-id="${id}" data-status="new"`);
    expect(list.text).not.toContain(PHONE);
    const detail = await officer.get(`/follow-ups/${id}`);
    expect(detail.text).toContain('fu-2026.1');
    expect(detail.text).not.toContain(PHONE);
    // Due 5 working days after Monday: the end of the next Monday (Vietnam), i.e. Tuesday 00:00 +07.
    expect((await db().query('SELECT due_at FROM follow_ups WHERE id = $1', [id])).rows[0]?.['due_at']).toEqual(
      new Date('2026-11-30T17:00:00.000Z'),
    );

    const shown = await officer.post(`/follow-ups/${id}/number`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    expect(shown.text).toContain(`data-testid="follow-up-number">${PHONE}<`);
    expect(shown.text).toContain(NAME);
    const views = await listAudit(db(), { action: 'follow_up_number_shown' });
    expect(views[0]?.username).toMatch(/^fu-foll-/);
    expect(views[0]?.detail).toEqual({ followUp: id, unit: 'fu-xa' });
    expect(JSON.stringify(await listAudit(db(), { limit: 500 }))).not.toContain(PHONE);

    clock.now = new Date(START.getTime() + DAY);
    await setStatus(officer, id, 'contacted', 'Đã gọi, hẹn gặp lại');
    clock.now = new Date(START.getTime() + 2 * DAY);
    await setStatus(officer, id, 'resolved', 'Đã trả hồ sơ');
    const closed = await officer.get(`/follow-ups/${id}`);
    expect(closed.text).toContain('Đã trả hồ sơ');
    expect((await db().query('SELECT status, closed_at FROM follow_ups WHERE id = $1', [id])).rows[0]).toEqual({
      status: 'resolved',
      closed_at: clock.now,
    });

    // Retention (default 30 days after closing): not a day early, then erased, the response kept.
    expect(await eraseExpiredContacts(db(), new Date(clock.now.getTime() + 29 * DAY))).toEqual({
      ran: true,
      erased: 0,
    });
    const later = new Date(clock.now.getTime() + 30 * DAY);
    expect(await eraseExpiredContacts(db(), later)).toEqual({ ran: true, erased: 1 });
    expect(
      (await db().query('SELECT status, sealed, erase_reason FROM follow_ups WHERE id = $1', [id])).rows[0],
    ).toEqual({ status: 'resolved', sealed: null, erase_reason: 'retention' });
    expect((await db().query('SELECT note FROM follow_up_notes WHERE follow_up_id = $1', [id])).rows).toEqual([
      { note: '' },
      { note: '' },
    ]);
    expect(
      (await db().query('SELECT count(*)::int AS n FROM responses WHERE response_id = $1', [response.id])).rows,
    ).toEqual([{ n: 1 }]);
    clock.now = later;
    await officer.login(officer.username);
    await officer.get(`/follow-ups/${id}`);
    const again = await officer.post(`/follow-ups/${id}/number`);
    expect(again.status).toBe(200);
    expect(again.text).toContain('data-testid="follow-up-no-number"');
    expect(again.text).not.toContain(PHONE);

    const trail = (await listAudit(db(), { limit: 500 }))
      .filter((r) => (r.detail as { followUp?: number }).followUp === id)
      .map((r) => [r.action, r.username === null ? 'job' : 'officer'])
      .reverse();
    expect(trail).toEqual([
      ['follow_up_number_shown', 'officer'],
      ['follow_up_status_changed', 'officer'],
      ['follow_up_status_changed', 'officer'],
      ['follow_up_erased', 'job'],
    ]);
  });

  test('a unit viewer and an officer of another unit get nothing, through pages or by changing ids in URLs', async () => {
    clock.now = START;
    await unit('fu-tinh');
    await unit('fu-a', 'fu-tinh');
    await unit('fu-b', 'fu-tinh');
    const device = await enrolled(central(), undefined, 'fu-a');
    const { response, contact } = await lowRating(central(), device, 1);
    await send(central(), device, [response], [contact]);
    const id = await followUpId(db(), response.id);
    const shownBefore = (await listAudit(db(), { action: 'follow_up_number_shown', limit: 500 })).length;

    const viewer = await account('unit_viewer', 'fu-a');
    expect((await viewer.get('/devices')).text).not.toContain('/console/follow-ups');
    for (const page of [
      await viewer.get('/follow-ups'),
      await viewer.get(`/follow-ups/${id}`),
      await viewer.post(`/follow-ups/${id}/number`),
      await viewer.post(`/follow-ups/${id}/status`, { to: 'resolved', note: '' }),
      await viewer.post(`/follow-ups/${id}/erase`, { confirm: 'yes' }),
    ]) {
      expect(page.status).toBe(403);
      expect(page.text).not.toContain(PHONE);
    }

    const other = await account('follow_up_officer', 'fu-b');
    expect((await other.get('/follow-ups')).text).not.toContain(`data-id="${id}"`);
    expect((await other.get(`/follow-ups?unit=fu-a`)).text).not.toContain(`data-id="${id}"`);
    for (const page of [
      await other.get(`/follow-ups/${id}`),
      await other.post(`/follow-ups/${id}/number`),
      await other.post(`/follow-ups/${id}/status`, { to: 'resolved', note: 'x' }),
      await other.post(`/follow-ups/${id}/erase`, { confirm: 'yes' }),
      await other.get('/follow-ups/99999999'),
    ]) {
      expect(page.status).toBe(404);
      expect(page.text).not.toContain(PHONE);
    }
    expect((await listAudit(db(), { action: 'follow_up_number_shown', limit: 500 })).length).toBe(shownBefore);
    expect(
      (await db().query('SELECT status, sealed IS NOT NULL AS kept FROM follow_ups WHERE id = $1', [id])).rows,
    ).toEqual([{ status: 'new', kept: true }]);
    // An officer of the parent unit sees the sub-unit's case; the province admin sees every case.
    expect((await (await account('follow_up_officer', 'fu-tinh')).get('/follow-ups')).text).toContain(
      `data-id="${id}"`,
    );
    const admin = await account('province_admin', null);
    expect((await admin.get('/follow-ups')).text).toContain(`data-id="${id}"`);
    expect((await admin.post(`/follow-ups/${id}/number`)).text).toContain(PHONE);
  });

  test('erase now on request: refused without the confirmation, then the contact is gone at once and audited', async () => {
    clock.now = START;
    await unit('fu-rut');
    const device = await enrolled(central(), undefined, 'fu-rut');
    const { response, contact } = await lowRating(central(), device, 1);
    await send(central(), device, [response], [contact]);
    const id = await followUpId(db(), response.id);
    const officer = await account('follow_up_officer', 'fu-rut');
    await officer.get(`/follow-ups/${id}`);
    const unconfirmed = await officer.post(`/follow-ups/${id}/erase`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('data-testid="error-confirm"');
    expect((await officer.post(`/follow-ups/${id}/erase`, { confirm: 'yes' })).status).toBe(303);
    expect(
      (await db().query('SELECT status, sealed, erase_reason FROM follow_ups WHERE id = $1', [id])).rows[0],
    ).toEqual({
      status: 'new',
      sealed: null,
      erase_reason: 'withdrawn',
    });
    expect((await listAudit(db(), { action: 'follow_up_erased' }))[0]?.detail).toEqual({
      followUp: id,
      unit: 'fu-rut',
      reason: 'withdrawn',
    });
    expect((await officer.get(`/follow-ups/${id}`)).text).toContain('data-testid="follow-up-erased"');
  });

  test('a contact is kept only with its stored response: first copy on re-send, dropped and counted when refused', async () => {
    clock.now = START;
    await unit('fu-lai');
    const device = await enrolled(central(), undefined, 'fu-lai');
    const first = await lowRating(central(), device, 1);
    await send(central(), device, [first.response], [first.contact]);
    const kept = (await db().query('SELECT sealed FROM follow_ups WHERE response_id = $1', [first.response.id])).rows;
    const resent = await lowRating(central(), device, 1);
    await send(central(), device, [first.response], [{ ...resent.contact, responseId: first.response.id }]);
    expect(
      (await db().query('SELECT sealed FROM follow_ups WHERE response_id = $1', [first.response.id])).rows,
    ).toEqual(kept);

    const unknown = await lowRating(central(), device, 2, { questionnaireId: 'no-such-questionnaire' });
    expect(await send(central(), device, [unknown.response], [unknown.contact])).toMatchObject({ refused: 1 });
    expect(
      (await db().query('SELECT count(*)::int AS n FROM follow_ups WHERE response_id = $1', [unknown.response.id]))
        .rows,
    ).toEqual([{ n: 0 }]);
    expect(
      (await db().query('SELECT contacts, contacts_dropped FROM batches WHERE device_id = $1 ORDER BY id', [device.id]))
        .rows,
    ).toEqual([
      { contacts: 1, contacts_dropped: 0 },
      { contacts: 0, contacts_dropped: 0 },
      { contacts: 0, contacts_dropped: 1 },
    ]);
  });
});
