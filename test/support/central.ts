/**
 * Test helpers for the central service: a real central on loopback (PGlite in memory, or a fresh
 * database on a throwaway PostgreSQL cluster), and a minimal fake kiosk that speaks the protocol
 * (enrol, signed batches, device-signed requests) straight from docs/sync-protocol.md.
 */
import type { KeyObject } from 'node:crypto';
import {
  type CentralDb,
  type RunningCentral,
  type StartCentralOptions,
  openCentralDb,
  startCentral,
} from '../../central/index.ts';
import type { Queryable } from '../../central/db/types.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { uuidv7 } from '../../shared/ids.ts';
import {
  encodeSignedDocument,
  makeSigned,
  newKeyPair,
  privateKeyFrom,
  sha256Hex,
  signBytes,
} from '../../shared/node/signing.ts';
import type { StoredResponse } from '../../shared/response.ts';
import {
  type BatchEnvelope,
  DEVICE_HEADERS,
  type EnrolRequest,
  PROTOCOL_VERSION,
  requestSigningString,
} from '../../shared/sync.ts';
import { postgresAvailability, sharedPostgres } from './postgres.ts';

export type Backend = 'pglite' | 'postgres';

export type TestCentral = RunningCentral & { backend: Backend };

/** Central on 127.0.0.1, port 0, rate limits off unless given. PGlite in memory, or a new database on the shared cluster. */
export const startTestCentral = async (
  backend: Backend,
  options: Partial<StartCentralOptions> = {},
): Promise<TestCentral> => {
  const base: StartCentralOptions = {
    host: '127.0.0.1',
    port: 0,
    rateLimit: { perIp: false, perDevice: false },
    ...options,
  };
  if (backend === 'pglite') return { ...(await startCentral({ memory: true, ...base })), backend };
  const cluster = await sharedPostgres();
  return { ...(await startCentral({ databaseUrl: await cluster.createDatabase(), ...base })), backend };
};

/** A fresh, migrated database on this backend (PGlite in memory, or a new database on the shared cluster). */
export const openTestDb = async (backend: Backend): Promise<CentralDb> =>
  backend === 'pglite'
    ? openCentralDb({ memory: true })
    : openCentralDb({ databaseUrl: await (await sharedPostgres()).createDatabase() });

/**
 * Wraps a database so that statements matching `failOn` throw inside transactions (an injected
 * fault: disk full, a lost connection), to show that a failure stores nothing.
 */
export const faultyDb = (db: CentralDb, failOn: RegExp): CentralDb & { armed: boolean } => {
  const state = { armed: true };
  const guard = (q: Queryable): Queryable => ({
    query: async (sql, params) => {
      if (state.armed && failOn.test(sql)) throw new Error('injected fault');
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
    copyIn: async (sql, data) => {
      if (state.armed && failOn.test(sql)) throw new Error('injected fault');
      return q.copyIn(sql, data);
    },
  });
  return Object.assign(state, {
    kind: db.kind,
    description: db.description,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    copyIn: db.copyIn.bind(db),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(guard(tx))),
    close: () => db.close(),
  });
};

export const backendAvailable = (backend: Backend): { ok: boolean; reason?: string } => {
  if (backend === 'pglite') return { ok: true };
  const a = postgresAvailability();
  return a.ok ? { ok: true } : { ok: false, reason: a.reason };
};

// ---------------------------------------------------------------------------------------------
// A fake kiosk

export type FakeDevice = { id: string; publicKey: string; privateKey: KeyObject };

export const makeDevice = (): FakeDevice => {
  const pair = newKeyPair();
  return { id: uuidv7(), publicKey: pair.publicKey, privateKey: privateKeyFrom(pair.privateKey) };
};

export const enrolRequest = (device: FakeDevice, code: string, more: Partial<EnrolRequest> = {}): EnrolRequest => ({
  protocol: PROTOCOL_VERSION,
  code,
  deviceId: device.id,
  publicKey: device.publicKey,
  appVersion: '0.1.0',
  label: 'Quầy 1',
  ...more,
});

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** Enrols the device with a fresh code from the central; returns the device. */
export const enrolled = async (
  central: RunningCentral,
  device: FakeDevice = makeDevice(),
  unitId?: string,
): Promise<FakeDevice> => {
  const code = await central.enrolmentCode(unitId ? { unitId } : {});
  const res = await postJson(`${central.url}/v1/enrol`, enrolRequest(device, code));
  if (res.status !== 201) throw new Error(`enrol failed: ${res.status} ${await res.text()}`);
  return device;
};

/** A valid StoredResponse at this seq (deterministic apart from the id unless given). */
export const makeResponse = (device: FakeDevice, seq: number, more: Partial<StoredResponse> = {}): StoredResponse => {
  const t = Date.UTC(2026, 10, 22, 2, 0, 0) + seq * 60_000;
  return {
    id: uuidv7(t),
    deviceId: device.id,
    seq,
    questionnaireId: 'quick',
    questionnaireVersion: 1,
    procedureCode: '1.001193',
    fieldCode: 'ho-tich',
    caseNumber: null,
    officerId: null,
    counterId: null,
    locale: 'vi',
    status: 'complete',
    startedAt: new Date(t - 30_000).toISOString(),
    submittedAt: new Date(t).toISOString(),
    durationMs: 30_000,
    // A complete, valid answer to the embedded quick questionnaire v1: central refuses anything else.
    answers: { overall: 5, attitude: 4, time: 3 },
    flags: { rapidRepeat: false, clockSuspect: false },
    ...more,
  };
};

export const makeResponses = (device: FakeDevice, from: number, to: number): StoredResponse[] =>
  Array.from({ length: to - from + 1 }, (_, i) => makeResponse(device, from + i));

export const envelopeOf = (
  device: FakeDevice,
  responses: StoredResponse[],
  more: Partial<BatchEnvelope> = {},
): BatchEnvelope => ({
  protocol: PROTOCOL_VERSION,
  deviceId: device.id,
  batchId: uuidv7(),
  seqFrom: responses[0]?.seq ?? 1,
  seqTo: responses.at(-1)?.seq ?? 1,
  createdAt: new Date().toISOString(),
  responses,
  ...more,
});

/** The gzip'd Signed document: the POST /v1/batches body and the .kbatch file content. */
export const kbatchBytes = (signer: FakeDevice, envelope: unknown, signerId: string = signer.id): Buffer =>
  encodeSignedDocument(makeSigned('kbatch', signerId, envelope, signer.privateKey));

export const postBatch = (
  central: { url: string },
  bytes: Uint8Array,
  headers: Record<string, string> = {},
): Promise<Response> =>
  fetch(`${central.url}/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...headers },
    body: Uint8Array.from(bytes),
  });

/** Headers of a device-signed request (docs/sync-protocol.md, "Device-signed requests"). */
export const deviceHeaders = (
  device: FakeDevice,
  method: string,
  path: string,
  body: string | Uint8Array = '',
  timestamp = String(Date.now()),
): Record<string, string> => ({
  [DEVICE_HEADERS.device]: device.id,
  [DEVICE_HEADERS.timestamp]: timestamp,
  [DEVICE_HEADERS.signature]: signBytes(
    Buffer.from(requestSigningString(method, path, timestamp, sha256Hex(body)), 'utf8'),
    device.privateKey,
  ),
});

export const signedFetch = (
  central: { url: string },
  device: FakeDevice,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<Response> => {
  const text = body === undefined ? '' : JSON.stringify(body);
  return fetch(`${central.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...deviceHeaders(device, method, path, text),
      ...extra,
    },
    ...(body === undefined ? {} : { body: text }),
  });
};

export const contentHash = (r: StoredResponse): string => sha256Hex(canonicalJson(r));
