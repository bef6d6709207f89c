// The counter bridge's connection under faults (issue 11): a real kiosk core (its own sync engine and
// invitation stream) and a real central on PostgreSQL, the kiosk's traffic THROUGH the fault proxy,
// a one-stop system posting to the counter API. Central restarts on the same port and database; the
// network is cut, and goes silent (blackholed) for less and for more than the kiosk's idle limit.
// Invitations sent while the kiosk was away arrive once if still valid, never after they expired,
// and one delivered again (every reconnect re-sends what is open) is never shown twice.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { requirePostgresOrSkip, stopSharedPostgres } from '../support/postgres.ts';
import { type BridgeRig, STREAM_IDLE_MS, sleep, startBridgeRig, until } from './support/bridge-rig.ts';

const postgres = requirePostgresOrSkip();
afterAll(stopSharedPostgres);

let open: BridgeRig | undefined;
const rig = async (): Promise<BridgeRig> => (open = await startBridgeRig());
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** The invitation the kiosk shows now. */
const current = (r: BridgeRig): string | undefined => r.core.invitations.current()?.id;
const shownNow = (r: BridgeRig, id: string, timeoutMs = 3_000) =>
  until(`invitation ${id} on the kiosk`, () => current(r) === id, timeoutMs);
/** Lets re-sends (each reconnect's catch-up) land before counting. */
const settle = () => sleep(300);
/** The kiosk's stream is cut at the proxy and its reconnects refused until the test lets them through. */
const cutStream = async (r: BridgeRig) => {
  r.streamAction = 'reset-before';
  r.proxy.dropConnections();
  await until('the kiosk to notice', () => !r.core.invitationStream.connected);
};
const streamConnections = (r: BridgeRig) => r.proxy.log.filter((l) => l.path.includes('/invitations/stream')).length;

describe.skipIf(!postgres.ok)('counter bridge under faults (real kiosk core, real central, fault proxy)', () => {
  it('an invitation sent while connected is shown at once, once, and central hears it was delivered', async () => {
    const r = await rig();
    const started = performance.now();
    const id = await r.invite('HS-LIVE');
    await shownNow(r, id);
    expect(performance.now() - started).toBeLessThan(2_000);
    await until('central to hear "delivered"', async () => (await r.statusAtCentral(id)) === 'delivered');
    await settle();
    expect(r.kioskRows(id)).toHaveLength(1);
    expect(r.shown).toEqual([id]);
  });

  it('central restarts: what the new instance was sent while the kiosk was away arrives once; the latest is shown', async () => {
    const r = await rig();
    const before = await r.invite('HS-BEFORE');
    await shownNow(r, before);

    // Closed; the kiosk's reconnects do not get through yet, so the new instance is sent two while it is away.
    r.streamAction = 'reset-before';
    await r.stopCentral();
    await until('the kiosk to notice', () => !r.core.invitationStream.connected);
    await r.startCentralAgain();
    const replacedMeanwhile = await r.invite('HS-NEW-1');
    const latest = await r.invite('HS-NEW-2');
    expect(r.core.invitationStream.connected).toBe(false);
    r.streamAction = 'stream';
    // Bounded: the failures while central was down must not leave the kiosk waiting out a long backoff.
    await shownNow(r, latest, 2_000);

    // Again, now sent while the kiosk reconnects on its own (catch-up or live: once either way).
    await r.stopCentral();
    await r.startCentralAgain();
    const raced = await r.invite('HS-RACE');
    await shownNow(r, raced);
    await until('the stream up again', () => r.core.invitationStream.connected);
    await settle();

    expect(r.shown).toEqual([before, latest, raced]);
    for (const id of [before, latest, raced]) expect(r.kioskRows(id)).toHaveLength(1);
    expect(r.kioskRows(replacedMeanwhile), 'replaced before any kiosk saw it').toEqual([]);
    expect(await r.statusAtCentral(replacedMeanwhile)).toBe('replaced');
    await until('central to hear "delivered"', async () => (await r.statusAtCentral(raced)) === 'delivered');
  });

  it('the network is cut: sent during the outage arrives once if valid; one whose time ran out never appears and cannot be answered', async () => {
    const r = await rig();
    const before = await r.invite('HS-BEFORE');
    await shownNow(r, before);

    await cutStream(r);
    const lapsed = await r.invite('HS-LAPSES', 30);
    r.advanceCentralClock(31_000); // its 30 s pass during the outage
    expect(await r.statusAtCentral(lapsed)).toBe('expired');
    const valid = await r.invite('HS-VALID');
    // The next invitation does not rewrite how the lapsed one ended: it expired unseen.
    expect(await r.statusAtCentral(lapsed)).toBe('expired');
    r.streamAction = 'stream';
    await shownNow(r, valid);
    await settle();

    expect(r.shown).toEqual([before, valid]);
    expect(r.kioskRows(lapsed)).toEqual([]);
    expect(r.core.invitations.statusOf(lapsed)).toBeUndefined();
    expect(r.core.invitations.answerIn(lapsed, uuidv7(), Date.now())).toBe(false);
    // A citizen rates now: the answer goes to the valid one, and central hears it.
    await r.answerOnKiosk();
    expect(r.core.invitations.statusOf(valid)).toBe('answered');
    await until('central to hear "answered"', async () => (await r.statusAtCentral(valid)) === 'answered');
    expect(await r.statusAtCentral(lapsed)).toBe('expired');
  });

  it('what central closed while the kiosk was away is not shown on after it (replaced by one that expired unseen)', async () => {
    const r = await rig();
    const before = await r.invite('HS-BEFORE');
    await shownNow(r, before);

    await cutStream(r);
    // The officer's next case replaces it at central, with a short time that runs out before the kiosk is back.
    const lapsed = await r.invite('HS-SHORT', 30);
    r.advanceCentralClock(31_000);
    expect(await r.statusAtCentral(before)).toBe('replaced');
    expect(current(r), 'the kiosk cannot know yet').toBe(before);
    r.streamAction = 'stream';
    await until('the kiosk to stop showing it', () => current(r) === undefined);

    expect(r.kioskRows(before)).toMatchObject([{ status: 'replaced' }]);
    expect(r.kioskRows(lapsed)).toEqual([]);
    expect(r.shown).toEqual([before]);
    expect(await r.statusAtCentral(before)).toBe('replaced');
  });

  it('the network goes silent: a short blackhole delays the stream, a long one is given up and reopened; each invitation once', async () => {
    const r = await rig();
    const before = await r.invite('HS-BEFORE');
    await shownNow(r, before);

    // Shorter than the kiosk's idle limit: the same connection carries on; the held event arrives on healing.
    const connections = streamConnections(r);
    r.proxy.blackhole();
    const held = await r.invite('HS-HELD');
    await sleep(STREAM_IDLE_MS / 3);
    expect(current(r), 'nothing passes while blackholed').toBe(before);
    r.proxy.heal();
    await shownNow(r, held, 1_000);
    expect(streamConnections(r), 'no reconnect for a short silence').toBe(connections);

    // Longer: the kiosk takes the silent stream for dead, its reconnects hang too; after healing, once.
    r.proxy.blackhole();
    const late = await r.invite('HS-LATE');
    await sleep(STREAM_IDLE_MS * 2.5);
    expect(current(r)).toBe(held);
    expect(r.core.invitationStream.connected).toBe(false);
    r.proxy.heal();
    await shownNow(r, late, 2_000);
    await settle();

    expect(r.shown).toEqual([before, held, late]);
    for (const id of [before, held, late]) expect(r.kioskRows(id)).toHaveLength(1);
  });

  it('delivered again on every reconnect while open, it is shown once: not again, not for longer, not after it was answered', async () => {
    const r = await rig();
    const id = await r.invite('HS-ONCE');
    await shownNow(r, id);
    await until('central to hear "delivered"', async () => (await r.statusAtCentral(id)) === 'delivered');
    await until('the kiosk to take the acknowledgement', () => r.kioskRows(id)[0]?.reported === 1);
    const [first] = r.kioskRows(id);
    const receive = vi.spyOn(r.core.invitations, 'receive');
    const receipts = () => receive.mock.calls.filter(([inv]) => inv.id === id).length;

    // Still showing: the reconnect's catch-up sends it again; its deadline does not start over.
    r.proxy.dropConnections();
    await until('central to re-send it', () => receipts() >= 1);
    expect(receive.mock.results[0]?.value).toEqual({ ok: true, status: 'delivered', duplicate: true });
    expect(r.kioskRows(id)).toEqual([first]);

    // Answered while central cannot hear it: central still holds it open and re-sends it; the kiosk does not re-show it.
    r.otherAction = 'reset-before';
    await r.answerOnKiosk();
    expect(r.core.invitations.statusOf(id)).toBe('answered');
    expect(await r.statusAtCentral(id)).toBe('delivered');
    const sent = receipts();
    r.proxy.dropConnections();
    await until('central to re-send it again', () => receipts() > sent);
    expect(receive.mock.results.at(-1)?.value).toEqual({ ok: true, status: 'answered', duplicate: true });
    expect(current(r)).toBeUndefined();

    r.otherAction = 'pass';
    await until('central to hear "answered"', async () => (await r.statusAtCentral(id)) === 'answered');
    await settle();
    expect(r.shown).toEqual([id]);
    expect(r.kioskRows(id)).toHaveLength(1);
    expect(r.kioskRows(id)[0]).toMatchObject({ received_at: first?.received_at, status: 'answered' });
    expect(r.kioskRows(id)[0]?.expires_local_ms).toBe(first?.expires_local_ms);
  });
});
