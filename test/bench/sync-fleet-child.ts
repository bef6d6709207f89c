/**
 * The 200 kiosks of the sync bench, simulated in one process apart from central's: each enrols its
 * own Ed25519 key with a one-time code, has its batches signed and gzip'd beforehand, and then all
 * send at once, each one batch in flight at a time as the real engine does (a 429 is waited out as
 * its Retry-After asks). Prints one JSON line on stdout (FleetResult); progress on stderr.
 *
 *   node sync-fleet-child.mjs PLAN_FILE     (PLAN_FILE: FleetPlan as JSON)
 */
import { readFileSync, writeSync } from 'node:fs';
import { uuidv7 } from '../../shared/ids.ts';
import { encodeSignedDocument, makeSigned, newKeyPair, privateKeyFrom } from '../../shared/node/signing.ts';
import type { StoredResponse } from '../../shared/response.ts';
import { BatchAck, type BatchEnvelope, type EnrolRequest, PROTOCOL_VERSION } from '../../shared/sync.ts';

export type FleetPlan = {
  centralUrl: string;
  codes: string[];
  batches: number;
  perBatch: number;
  templates: StoredResponse[];
  /**
   * Added to the templates' times in each batch after the first (batch b: b times this): a kiosk's
   * batches in the order its responses were given. 0 (the default): every batch the same times.
   */
  batchShiftMs?: number;
};
export type FleetResult = {
  devices: string[];
  responses: number;
  requests: number;
  ms: number;
  latencyMs: number[];
  retries429: number;
  bytes: number;
  failures: string[];
};

const plan = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as FleetPlan;
const say = (m: string) => writeSync(2, `${m}\n`);

/** Runs `fn` over `items`, at most `width` at a time. */
const pool = async <T>(
  items: readonly T[],
  width: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
};

type Kiosk = { id: string; bodies: Buffer[] };
const kiosks: Kiosk[] = [];
await pool(plan.codes, 8, async (code) => {
  const pair = newKeyPair();
  const id = uuidv7();
  const req: EnrolRequest = {
    protocol: PROTOCOL_VERSION,
    code,
    deviceId: id,
    publicKey: pair.publicKey,
    appVersion: '0.1.0',
    label: 'bench kiosk',
  };
  const res = await fetch(`${plan.centralUrl}/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(req),
  });
  if (res.status !== 201) throw new Error(`enrolment failed: ${res.status} ${await res.text()}`);
  const key = privateKeyFrom(pair.privateKey);
  const bodies: Buffer[] = [];
  for (let b = 0; b < plan.batches; b++) {
    const responses = Array.from({ length: plan.perBatch }, (_, i): StoredResponse => {
      const t = plan.templates[(b * plan.perBatch + i) % plan.templates.length]!;
      const seq = b * plan.perBatch + i + 1;
      // A case number of its own per kiosk and response: every kiosk sends the same templates, and one
      // case evaluated on every kiosk of the unit would be a repeat for central to count once.
      const caseNumber = t.caseNumber === null ? null : `K${id.replace(/-/g, '').slice(-12)}-${seq}`;
      const shift = b * (plan.batchShiftMs ?? 0);
      const startedAt = new Date(Date.parse(t.startedAt) + shift).toISOString();
      const submittedAt = new Date(Date.parse(t.submittedAt) + shift).toISOString();
      return { ...t, id: uuidv7(Date.parse(startedAt)), deviceId: id, seq, caseNumber, startedAt, submittedAt };
    });
    const envelope: BatchEnvelope = {
      protocol: PROTOCOL_VERSION,
      deviceId: id,
      batchId: uuidv7(),
      seqFrom: responses[0]!.seq,
      seqTo: responses.at(-1)!.seq,
      createdAt: new Date().toISOString(),
      responses,
    };
    bodies.push(encodeSignedDocument(makeSigned('kbatch', id, envelope, key)));
  }
  kiosks.push({ id, bodies });
});
say(`fleet: ${kiosks.length} kiosks enrolled, ${kiosks.length * plan.batches} batches signed; sending`);

const result: FleetResult = {
  devices: kiosks.map((k) => k.id),
  responses: 0,
  requests: 0,
  ms: 0,
  latencyMs: [],
  retries429: 0,
  bytes: 0,
  failures: [],
};
const start = performance.now();
await Promise.all(
  kiosks.map(async (k) => {
    for (const body of k.bodies) {
      for (;;) {
        const t0 = performance.now();
        const res = await fetch(`${plan.centralUrl}/v1/batches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: Uint8Array.from(body),
        });
        const text = await res.text();
        result.requests++;
        if (res.status === 429) {
          result.retries429++;
          await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000));
          continue;
        }
        result.latencyMs.push(performance.now() - t0);
        if (res.status !== 200) {
          result.failures.push(`${res.status} ${text.slice(0, 200)}`);
          break;
        }
        const ack = BatchAck.parse(JSON.parse(text));
        result.responses += ack.received;
        result.bytes += body.length;
        break;
      }
    }
  }),
);
result.ms = performance.now() - start;
writeSync(1, `${JSON.stringify(result)}\n`);
