import { afterAll, beforeAll, describe } from 'vitest';
import type { StartCentralOptions } from '../../central/index.ts';
import { type Backend, type TestCentral, startTestCentral } from '../support/central.ts';
import { requirePostgresOrSkip, stopSharedPostgres } from '../support/postgres.ts';

export const BACKENDS: readonly Backend[] = ['pglite', 'postgres'];

/**
 * Runs the same suite on PGlite and on a real PostgreSQL. The PostgreSQL block skips with a
 * one-line reason when it is not installed, and fails instead under REQUIRE_POSTGRES=1 (CI).
 */
export const forEachBackend = (name: string, body: (backend: Backend) => void): void => {
  for (const backend of BACKENDS) {
    const available = backend === 'postgres' ? requirePostgresOrSkip() : { ok: true as const };
    const title = available.ok ? `${name} [${backend}]` : `${name} [${backend}] — skipped: ${available.reason}`;
    describe.skipIf(!available.ok)(title, () => body(backend));
  }
  afterAll(stopSharedPostgres);
};

/** One central per describe block (tests use their own devices, so they do not see each other). */
export const sharedCentral = (backend: Backend, options: Partial<StartCentralOptions> = {}): (() => TestCentral) => {
  let central: TestCentral | undefined;
  beforeAll(async () => {
    central = await startTestCentral(backend, options);
  });
  afterAll(async () => {
    await central?.close();
  });
  return () => {
    if (!central) throw new Error('central not started');
    return central;
  };
};
