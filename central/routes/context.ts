import type { FastifyRequest } from 'fastify';
import type { ContactKeyPair } from '../../shared/node/contact-seal.ts';
import type { KeyPairB64 } from '../../shared/node/signing.ts';
import type { CentralDb } from '../db/types.ts';
import type { BatchOpener } from '../ingest/worker-pool.ts';

/** What every route needs: the database, central's key, the clock, and the rate limiters. */
export type RouteContext = {
  db: CentralDb;
  centralKey: KeyPairB64;
  /** Opens follow-up contacts (the console's "show number"); absent: numbers cannot be shown here. */
  contactKey?: ContactKeyPair;
  now: () => Date;
  /** Throws 429 rate_limited when this address is over its budget. */
  limitIp: (req: FastifyRequest) => Promise<void>;
  /** Throws 429 rate_limited when this (authenticated) device is over its budget. */
  limitDevice: (req: FastifyRequest, deviceId: string) => Promise<void>;
  /** Opens batch bodies off the event loop (the server's worker pool): /v1/batches and console uploads. */
  ingest: BatchOpener;
  /** storeBatch's StoreBatchOptions.reportAggregates for /v1/batches (default true; false only to measure). */
  reportAggregates?: boolean;
};

/** The raw request body (every /v1 route parses its own bytes: signatures cover them exactly). */
export const rawBody = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
