/**
 * The central survey service's public API, for `npm run central`, centralctl, the kiosk side's
 * tests and the bench. See central/README.md.
 */
export { createCentralServer, type CentralServerOptions, toSyncError } from './server.ts';
export { startCentral, DEFAULT_PORT, type RunningCentral, type StartCentralOptions } from './start.ts';
export { openCentralDb, type OpenCentralDbOptions } from './db/open.ts';
export type { CentralDb, Queryable } from './db/types.ts';
export { migrateCentral, centralSchemaVersion, CentralSchemaTooNewError } from './db/migrate.ts';
export { LATEST_CENTRAL_SCHEMA } from './db/migrations.ts';
export { loadOrCreateCentralKey } from './keys.ts';
export { createEnrolmentCode, DEFAULT_CODE_HOURS } from './ops/enrolment-codes.ts';
export { listDevices, revokeDevice, unrevokeDevice, findDevice, DeviceReport } from './ops/devices.ts';
export { publishConfig, latestConfig, ConfigRefusedError } from './ops/configs.ts';
export { exportResponses, CSV_COLUMNS } from './ops/export.ts';
export { ensureUnit, DEFAULT_UNIT, type Unit } from './ops/units.ts';
export { DEFAULT_RATE_LIMITS, type RateLimitSettings } from './routes/rate-limit.ts';
export { BATCH_SOURCE_HEADER } from './routes/batches.ts';
export { responseHash, storeBatch, type BatchVia } from './ingest/store-batch.ts';
export { openBatch, type OpenedBatch } from './ingest/open-batch.ts';
export { SyncError } from './errors.ts';
