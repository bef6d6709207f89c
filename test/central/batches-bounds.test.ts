// Every number a device sends has a range that fits where central keeps it (shared/numbers.ts): a
// value beyond it is a 400 naming the field, never a failed INSERT answered with 500.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { MAX_INT32 } from '../../shared/numbers.ts';
import type { StoredResponse } from '../../shared/response.ts';
import type { Heartbeat } from '../../shared/sync.ts';
import {
  type FakeDevice,
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeResponse,
  makeResponses,
  postBatch,
  signedFetch,
} from '../support/central.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { expectSyncError, tableCounts } from './expect.ts';

const heartbeat = (device: FakeDevice): Heartbeat => ({
  deviceId: device.id,
  clock: new Date().toISOString(),
  appVersion: '0.1.0',
  configVersion: '1+abc',
  lastSeq: 12,
  lastAckedSeq: 10,
  queueDepth: 2,
  freeDiskBytes: 5_000_000_000,
  procedureCode: '1.001193',
});

/** Numbers and strings at and past every edge a parser or a column type has. */
const extremeValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      2 ** 31,
      2 ** 31 - 1,
      -(2 ** 31),
      -(2 ** 31) - 1,
      2 ** 32,
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 53),
      1e308,
      -1e308,
      5e-324,
      0.5,
      -0,
      -1,
      0,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
  },
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', '\ud800', 'x'.repeat(70_000), '9'.repeat(400), '2026-13-45T99:99:99.999Z', '1e999'),
  fc.constantFrom(null, true, false, [], {}, [[[[1]]]], { a: { b: { c: 1 } } }),
);

/** Paths into a one-response envelope that a hostile or broken client could fill with anything. */
const ENVELOPE_PATHS = [
  // The one seq in all three places, so the checks between fields pass and only the bound can refuse.
  ['seq'],
  ['protocol'],
  ['seqFrom'],
  ['seqTo'],
  ['createdAt'],
  ['batchId'],
  ['responses', 0, 'seq'],
  ['responses', 0, 'questionnaireVersion'],
  ['responses', 0, 'durationMs'],
  ['responses', 0, 'answers', 'q1'],
  ['responses', 0, 'answers', 'q2'],
  ['responses', 0, 'startedAt'],
  ['responses', 0, 'submittedAt'],
  ['responses', 0, 'caseNumber'],
  ['responses', 0, 'officerId'],
  ['responses', 0, 'locale'],
  ['responses', 0, 'flags', 'rapidRepeat'],
  ['responses', 0, 'questionnaireId'],
] as const;

const HEARTBEAT_PATHS = [
  'lastSeq',
  'lastAckedSeq',
  'queueDepth',
  'freeDiskBytes',
  'clock',
  'appVersion',
  'procedureCode',
] as const;

/** A deep copy of `value` with `path` set to `v` (JSON-shaped values only). */
const withValue = (value: unknown, path: readonly (string | number)[], v: unknown): unknown => {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = v;
  return copy;
};

forEachBackend('numbers and strings at their limits', (backend) => {
  const central = sharedCentral(backend);

  test('a signed batch with seq 2^31 is 400 naming the field, and stores nothing', async () => {
    const device = await enrolled(central());
    const before = await tableCounts(central().db);
    const at = [makeResponse(device, MAX_INT32 + 1)];
    await expectSyncError(
      await postBatch(central(), kbatchBytes(device, envelopeOf(device, at))),
      400,
      'invalid_body',
      'seqFrom',
    );
    // The last seq a PostgreSQL integer holds is accepted; one more is refused at seqTo.
    const edge = [makeResponse(device, MAX_INT32 - 1), makeResponse(device, MAX_INT32)];
    expect((await postBatch(central(), kbatchBytes(device, envelopeOf(device, edge)))).status).toBe(200);
    const over = [makeResponse(device, MAX_INT32), makeResponse(device, MAX_INT32 + 1)];
    const error = await expectSyncError(
      await postBatch(central(), kbatchBytes(device, envelopeOf(device, over))),
      400,
      'invalid_body',
      'seqTo',
    );
    expect(error.message).toMatch(/2147483647/);
    expect((await tableCounts(central().db)).responses).toBe(before.responses + 2);
  });

  test('a questionnaire version or an answer beyond 32 bits is 400 naming the field', async () => {
    const device = await enrolled(central());
    const big = (more: Partial<StoredResponse>) => [makeResponse(device, 1, more)];
    await expectSyncError(
      await postBatch(central(), kbatchBytes(device, envelopeOf(device, big({ questionnaireVersion: 2 ** 31 })))),
      400,
      'invalid_body',
      'responses.0.questionnaireVersion',
    );
    const error = await expectSyncError(
      await postBatch(central(), kbatchBytes(device, envelopeOf(device, big({ answers: { q1: 2 ** 40 } })))),
      400,
      'invalid_body',
    );
    expect(error.field).toMatch(/^responses\.0\.answers/);
  });

  test('a heartbeat with lastSeq 2^31 is 400 naming the field', async () => {
    const device = await enrolled(central());
    const res = await signedFetch(central(), device, 'POST', '/v1/heartbeat', {
      ...heartbeat(device),
      lastSeq: 2 ** 31,
    });
    await expectSyncError(res, 400, 'invalid_body', 'lastSeq');
  });

  test('property: signed envelopes and heartbeats with extreme numbers and strings never get a 5xx', async () => {
    const device = await enrolled(central());
    const base = envelopeOf(device, makeResponses(device, 1, 1));
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENVELOPE_PATHS), extremeValue, async (path, v) => {
        const envelope =
          path[0] === 'seq'
            ? withValue(withValue(withValue(base, ['seqFrom'], v), ['seqTo'], v), ['responses', 0, 'seq'], v)
            : withValue(base, path, v);
        const res = await postBatch(central(), kbatchBytes(device, envelope));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect({ path, v, status: res.status, body: await res.text() }).toMatchObject({
          status: expect.toSatisfy((s: number) => s < 500),
        });
      }),
      { numRuns: 150, seed: 20261204 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...HEARTBEAT_PATHS), extremeValue, async (key, v) => {
        const res = await signedFetch(central(), device, 'POST', '/v1/heartbeat', { ...heartbeat(device), [key]: v });
        expect({ key, v, status: res.status, body: await res.text() }).toMatchObject({
          status: expect.toSatisfy((s: number) => s < 500),
        });
      }),
      { numRuns: 80, seed: 20261204 },
    );
    // Both outcomes were exercised: some mutations are harmless (200), most are refused (400).
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
