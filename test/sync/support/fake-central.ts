/**
 * A scripted stand-in for central, for engine behaviour that needs exact control of the answers
 * (status codes, Retry-After, timing). Everything else is tested against the real central/.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ensureDeviceKey } from '../../../electron/core/sync/device-key.ts';
import { writeState } from '../../../electron/core/store/state.ts';
import { newKeyPair } from '../../../shared/node/signing.ts';
import type { BatchAck, BatchEnvelope, Signed } from '../../../shared/sync.ts';
import type { TestKiosk } from './kiosk.ts';

export type FakeReply = { status: number; headers?: Record<string, string>; body?: unknown } | 'ack' | 'hang' | 'reset';
export type FakeRequest = {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  at: number;
};

export type FakeCentral = {
  url: string;
  requests: FakeRequest[];
  /** Replies for the next POST /v1/batches, in order; when empty, every batch is acknowledged. */
  batchReplies: FakeReply[];
  /** The heartbeat's reply; unset, what a real central says: the gap-free prefix of `held`. */
  heartbeatReply?: FakeReply;
  configReply: FakeReply;
  /** Seqs acknowledged so far (what a real central would hold). */
  held: Set<number>;
  close: () => Promise<void>;
};

const envelopeOf = (body: Buffer): BatchEnvelope => {
  const doc = JSON.parse(gunzipSync(body).toString('utf8')) as Signed;
  return JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')) as BatchEnvelope;
};

export const startFakeCentral = async (): Promise<FakeCentral> => {
  const sockets = new Set<Socket>();
  const fake: FakeCentral = {
    url: '',
    requests: [],
    batchReplies: [],
    configReply: { status: 304 },
    held: new Set(),
    close: async () => {},
  };
  const contiguous = () => {
    let h = 0;
    while (fake.held.has(h + 1)) h++;
    return h;
  };
  const send = (res: ServerResponse, reply: Exclude<FakeReply, 'ack' | 'hang' | 'reset'>) => {
    const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      fake.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const path = req.url ?? '';
      const reply = path.endsWith('/v1/batches')
        ? (fake.batchReplies.shift() ?? 'ack')
        : path.endsWith('/v1/heartbeat')
          ? (fake.heartbeatReply ?? {
              status: 200,
              body: { serverTime: new Date().toISOString(), highestContiguousSeq: contiguous(), configVersion: null },
            })
          : fake.configReply;
      if (reply === 'hang') return;
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      if (reply === 'ack') {
        const env = envelopeOf(body);
        let inserted = 0;
        for (const r of env.responses) {
          if (!fake.held.has(r.seq)) inserted++;
          fake.held.add(r.seq);
        }
        const ack: BatchAck = {
          batchId: env.batchId,
          deviceId: env.deviceId,
          received: env.responses.length,
          inserted,
          duplicates: env.responses.length - inserted,
          conflicts: [],
          highestContiguousSeq: contiguous(),
        };
        send(res, { status: 200, body: ack });
        return;
      }
      send(res, reply);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return fake;
};

/** Enrols a kiosk with a fake central without a network round trip: key file and enrolment state. */
export const fakeEnrol = (kiosk: TestKiosk, url: string): void => {
  const key = ensureDeviceKey(kiosk.dataDir, kiosk.deviceId);
  writeState(kiosk.db, 'sync.enrolment', {
    centralUrl: `${url}/`,
    deviceId: kiosk.deviceId,
    unit: { id: 'test', name: 'Test unit' },
    centralPublicKey: newKeyPair().publicKey,
    publicKey: key.publicKey,
    enrolledAt: new Date().toISOString(),
  });
};
