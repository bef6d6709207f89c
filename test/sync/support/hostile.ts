/**
 * Hostile load for the fault suite and the bench: bodies built to cost a receiver as much as
 * possible for as few bytes as possible, sent at a steady rate from one (claimed) address, and a
 * poller of /v1/health that records its latency. Nothing here knows how central defends itself.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { LIMITS } from '../../../shared/sync.ts';
import { envelopeOf, kbatchBytes, makeDevice, makeResponses } from '../../support/central.ts';

export type HostileBody = { kind: string; body: Buffer };

let forgery: { deviceId: string; body: Buffer } | undefined;

/**
 * The mix, for a victim whose device id is known (ids are not secret: they name .kbatch files):
 * - `nested-anonymous`: 22 MB of `[` in ~22 KB of gzip, naming nobody;
 * - `nested-named`: the same behind a head naming the victim, so it gets past the signer check;
 * - `forged-large`: the victim's name on a 16 MiB payload (the most a batch may carry) with a made-up
 *   signature: the full gunzip, base64 decode and signature check, from ~25 KB;
 * - `unknown-signer`: a well-formed batch from a device nobody enrolled;
 * - `garbage`: random bytes.
 */
export const hostileBodies = (victimId: string): HostileBody[] => {
  const nested = LIMITS.maxDocumentBytes - 200;
  const head = `{"format":"kbatch","signer":"${victimId}","payload":`;
  if (forgery?.deviceId !== victimId) {
    const payloadChars = Math.ceil((LIMITS.maxEnvelopeBytes * 4) / 3) - 8;
    const text = Buffer.concat([
      Buffer.from(`${head}"`),
      Buffer.alloc(payloadChars, 'A'),
      Buffer.from(`","signature":"${'A'.repeat(86)}"}`),
    ]);
    forgery = { deviceId: victimId, body: gzipSync(text, { level: 9 }) };
  }
  const stranger = makeDevice();
  return [
    { kind: 'nested-anonymous', body: gzipSync(Buffer.alloc(nested, '['), { level: 9 }) },
    {
      kind: 'nested-named',
      body: gzipSync(Buffer.concat([Buffer.from(head), Buffer.alloc(nested, '[')]), { level: 9 }),
    },
    { kind: 'forged-large', body: forgery.body },
    { kind: 'unknown-signer', body: kbatchBytes(stranger, envelopeOf(stranger, makeResponses(stranger, 1, 50))) },
    { kind: 'garbage', body: randomBytes(20_000) },
  ];
};

export type HostileReport = {
  sent: number;
  /** Requests that got an HTTP answer, by kind and status: each request counted once. */
  answers: { kind: string; status: number }[];
  /** Requests that got no answer (connection error), with the error. */
  failures: { kind: string; error: string }[];
};

/**
 * Sends the bodies round-robin to POST /v1/batches, `perSecond` a second, each claiming to come from
 * `address` (X-Forwarded-For: central must trust the proxy header for this to count as one address).
 */
export const startHostileSender = (options: {
  url: string;
  bodies: HostileBody[];
  perSecond: number;
  address: string;
}): { stop: () => Promise<HostileReport> } => {
  const report: HostileReport = { sent: 0, answers: [], failures: [] };
  const inFlight = new Set<Promise<void>>();
  const send = () => {
    const { kind, body } = options.bodies[report.sent % options.bodies.length]!;
    report.sent++;
    const p = fetch(`${options.url}/v1/batches`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'x-forwarded-for': options.address,
      },
      body: Uint8Array.from(body),
    }).then(
      async (res) => {
        await res.arrayBuffer();
        report.answers.push({ kind, status: res.status });
      },
      (e: unknown) => {
        report.failures.push({ kind, error: String(e) });
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const timer = setInterval(send, 1000 / options.perSecond);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return report;
    },
  };
};

/**
 * Polls GET /v1/health one request at a time, `everyMs` apart; records each status and latency.
 * `address` (X-Forwarded-For) keeps the poller's requests out of the kiosk's per-address budget.
 */
export const startHealthPoller = (
  url: string,
  everyMs: number,
  address = '198.51.100.1',
): { stop: () => Promise<{ statuses: number[]; latenciesMs: number[] }> } => {
  const statuses: number[] = [];
  const latenciesMs: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const status = await fetch(`${url}/v1/health`, { headers: { 'x-forwarded-for': address } }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
        () => 0,
      );
      latenciesMs.push(performance.now() - t0);
      statuses.push(status);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { statuses, latenciesMs };
    },
  };
};
