import { beforeEach, expect, test } from 'vitest';
import { SMALL_ORDER_ENCODINGS } from '../../shared/node/signing.ts';
import { EnrolResponse } from '../../shared/sync.ts';
import { enrolRequest, makeDevice, postJson } from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { expectSyncError, tableCounts } from './expect.ts';

const HOUR = 3_600_000;

forEachBackend('POST /v1/enrol', (backend) => {
  let clock = Date.UTC(2026, 10, 22, 1, 0, 0);
  const central = sharedCentral(backend, { now: () => new Date(clock) });
  beforeEach(() => {
    clock = Date.UTC(2026, 10, 22, 1, 0, 0);
  });
  const enrol = (body: unknown): Promise<Response> => postJson(`${central().url}/v1/enrol`, body);

  test('a valid code enrols the device: 201 with its unit and the central key', async () => {
    const device = makeDevice();
    const res = await enrol(enrolRequest(device, await central().enrolmentCode()));
    expect(res.status).toBe(201);
    const body = EnrolResponse.parse(await res.json());
    expect(body).toMatchObject({
      deviceId: device.id,
      unit: { id: 'default' },
      centralPublicKey: central().centralKey.publicKey,
    });
    expect(body.serverTime).toBe(new Date(clock).toISOString());
  });

  test('a retry by the same device with the same key gets 200 and the same answer', async () => {
    const device = makeDevice();
    const code = await central().enrolmentCode();
    expect((await enrol(enrolRequest(device, code))).status).toBe(201);
    const again = await enrol(enrolRequest(device, code));
    expect(again.status).toBe(200);
    expect(EnrolResponse.parse(await again.json())).toMatchObject({ deviceId: device.id, unit: { id: 'default' } });
  });

  test('a used code is refused for another device (403), and nothing is stored', async () => {
    const code = await central().enrolmentCode();
    expect((await enrol(enrolRequest(makeDevice(), code))).status).toBe(201);
    const before = await tableCounts(central().db);
    const body = await expectSyncError(
      await enrol(enrolRequest(makeDevice(), code)),
      403,
      'enrolment_code_invalid',
      'code',
    );
    expect(body.message).toMatch(/already used/);
    expect(await tableCounts(central().db)).toEqual(before);
  });

  test('an unknown code is refused with 403', async () => {
    await expectSyncError(
      await enrol(enrolRequest(makeDevice(), 'ABCD-EFGH-JKMN')),
      403,
      'enrolment_code_invalid',
      'code',
    );
  });

  test('an expired code is refused with 403 and stays unused', async () => {
    const code = await central().enrolmentCode({ hours: 2 });
    clock += 2 * HOUR - 1;
    const device = makeDevice();
    clock += 1;
    const body = await expectSyncError(await enrol(enrolRequest(device, code)), 403, 'enrolment_code_invalid', 'code');
    expect(body.message).toMatch(/expired/);
    clock -= 1; // one millisecond before expiry it still works
    expect((await enrol(enrolRequest(device, code))).status).toBe(201);
  });

  test('the default expiry is 72 hours', async () => {
    const code = await central().enrolmentCode();
    clock += 72 * HOUR;
    await expectSyncError(await enrol(enrolRequest(makeDevice(), code)), 403, 'enrolment_code_invalid');
  });

  test('a device id already enrolled with another key is 409 device_exists; the new code stays usable', async () => {
    const device = makeDevice();
    expect((await enrol(enrolRequest(device, await central().enrolmentCode()))).status).toBe(201);
    const impostor = { ...makeDevice(), id: device.id };
    const code = await central().enrolmentCode();
    await expectSyncError(await enrol(enrolRequest(impostor, code)), 409, 'device_exists', 'deviceId');
    expect((await enrol(enrolRequest(makeDevice(), code))).status).toBe(201);
  });

  test('a device already enrolled with the same key gets 200 for a new code of its unit, and the code stays unused', async () => {
    const device = makeDevice();
    expect((await enrol(enrolRequest(device, await central().enrolmentCode()))).status).toBe(201);
    const code = await central().enrolmentCode();
    expect((await enrol(enrolRequest(device, code))).status).toBe(200);
    expect((await enrol(enrolRequest(makeDevice(), code))).status).toBe(201);
  });

  test('two devices racing for one code: exactly one wins', async () => {
    const code = await central().enrolmentCode();
    const results = await Promise.all(Array.from({ length: 6 }, () => enrol(enrolRequest(makeDevice(), code))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 403, 403, 403, 403, 403]);
  });

  const weakKeys: [string, string][] = [
    ...SMALL_ORDER_ENCODINGS.map((hex): [string, string] => [`small-order point ${hex.slice(0, 8)}…`, hex]),
    ['identity with the sign bit set (non-canonical)', `01${'00'.repeat(30)}80`],
    ['y = p (non-canonical zero)', `ed${'ff'.repeat(30)}7f`],
    ['y = p + 1 (non-canonical identity)', `ee${'ff'.repeat(30)}7f`],
    ['y = 2 (not on the curve)', `02${'00'.repeat(31)}`],
  ];
  test.each(weakKeys)('a weak or malformed public key is refused with 400 (%s), nothing stored', async (_what, hex) => {
    const code = await central().enrolmentCode();
    const before = await tableCounts(central().db);
    const publicKey = Buffer.from(hex, 'hex').toString('base64url');
    const body = await expectSyncError(
      await enrol(enrolRequest(makeDevice(), code, { publicKey })),
      400,
      'invalid_body',
      'publicKey',
    );
    expect(body.message).toMatch(/not a usable Ed25519 public key/);
    expect(await tableCounts(central().db)).toEqual(before);
    // The code was not spent on the refused key.
    expect((await enrol(enrolRequest(makeDevice(), code))).status).toBe(201);
  });

  test('a public key of the wrong length or in non-canonical base64url is refused with 400', async () => {
    const code = await central().enrolmentCode();
    const good = makeDevice().publicKey;
    // The same 32 bytes with a padding bit set in the last character: other text, same bytes after decoding.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lastBits = good.slice(0, 42) + alphabet[alphabet.indexOf(good[42]!) ^ 1]!;
    expect(Buffer.from(lastBits, 'base64url')).toEqual(Buffer.from(good, 'base64url'));
    for (const publicKey of [good.slice(0, 42), `${good}A`, lastBits])
      await expectSyncError(
        await enrol(enrolRequest(makeDevice(), code, { publicKey })),
        400,
        'invalid_body',
        'publicKey',
      );
  });

  test('a body that is not JSON is 400 invalid_body', async () => {
    await expectSyncError(await enrol('{"protocol": 1,'), 400, 'invalid_body', '(root)');
    await expectSyncError(await enrol(''), 400, 'invalid_body', '(root)');
  });

  test.each([
    ['publicKey', (b: Record<string, unknown>) => delete b['publicKey']],
    ['publicKey', (b: Record<string, unknown>) => (b['publicKey'] = 'not base64url!')],
    ['code', (b: Record<string, unknown>) => (b['code'] = 'abcd')],
    ['deviceId', (b: Record<string, unknown>) => (b['deviceId'] = 'has spaces')],
    ['protocol', (b: Record<string, unknown>) => (b['protocol'] = 'one')],
    ['label', (b: Record<string, unknown>) => (b['label'] = 'x'.repeat(500))],
  ])('a schema-invalid body is 400 invalid_body naming %s', async (field, mutate) => {
    const body = enrolRequest(makeDevice(), await central().enrolmentCode()) as unknown as Record<string, unknown>;
    mutate(body);
    const before = await tableCounts(central().db);
    await expectSyncError(await enrol(body), 400, 'invalid_body', field);
    expect(await tableCounts(central().db)).toEqual(before);
  });

  test('an unsupported protocol is 400 with the supported range', async () => {
    const body = await expectSyncError(
      await enrol({ ...enrolRequest(makeDevice(), await central().enrolmentCode()), protocol: 2 }),
      400,
      'unsupported_protocol',
    );
    expect(body.supported).toEqual({ min: 1, max: 1 });
    // A future client's body may have another shape: the protocol is judged first.
    await expectSyncError(await enrol({ protocol: 7, somethingElse: true }), 400, 'unsupported_protocol');
  });
});
