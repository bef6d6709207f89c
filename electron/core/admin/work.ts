import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { ExportJob, SyncJob } from '../../../shared/admin.ts';
import type { Result } from '../../../shared/api.ts';
import { sha256Hex } from '../../../shared/node/signing.ts';
import { audit } from '../store/audit.ts';
import { writeState } from '../store/state.ts';
import type { BatchLimits } from '../sync/batch-builder.ts';
import type { KeyProtector } from '../sync/device-key.ts';
import type { SyncEngine } from '../sync/engine.ts';
import { readEnrolment } from '../sync/enrolment.ts';
import { exportBatches } from '../sync/offline.ts';
import { queueDepth } from '../sync/sync-store.ts';
import { isWritableDir } from './export-targets.ts';
import type { JobRegistry } from './jobs.ts';
import { errorMessage } from '../../../shared/error-message.ts';

/**
 * "Sync now" and "export to USB" as jobs: started by one call, watched through snapshots. Both reuse
 * what kioskctl runs (the engine's runOnce, offline.ts's exportBatches), on the kiosk's own engine.
 */

export type WorkDeps = {
  db: Database;
  dataDir: string;
  deviceId: string;
  engine: SyncEngine;
  jobs: JobRegistry;
  now: () => number;
  protector?: KeyProtector;
  /** The engine's batch limits: a file holds what one online batch would. */
  limits?: Partial<BatchLimits>;
  onError: (message: string, e: unknown) => void;
};

const iso = (ms: number) => new Date(ms).toISOString();
const notEnrolled = (what: string): Result<never> => ({
  ok: false,
  error: {
    code: 'not_enrolled',
    message: `this kiosk is not enrolled with a central service: enrol it first (central URL and code), then ${what}`,
  },
});

export const LAST_EXPORT_KEY = 'admin.lastExport';

export const startSync = (d: WorkDeps): Result<SyncJob> => {
  const running = d.jobs.latest('sync');
  if (running?.state === 'running') return { ok: true, value: d.jobs.snapshot(running) };
  if (!readEnrolment(d.db)) return notEnrolled('sync');
  const depth = queueDepth(d.db);
  const job = d.jobs.add<SyncJob>({
    kind: 'sync',
    state: 'running',
    phase: 'queued',
    startedAt: iso(d.now()),
    finishedAt: null,
    done: 0,
    total: depth,
    result: null,
    error: null,
  });
  audit(d.db, 'admin', 'sync_now', { queueDepth: depth });
  // No retries: IT is looking at the screen and should see the real failure; the background loop retries anyway.
  d.engine
    .runOnce({
      retries: 0,
      onProgress: (p) => {
        job.phase = p.phase;
        job.done = p.done;
        job.total = p.total;
      },
    })
    .then((r) => {
      job.result = {
        batches: r.batches,
        responses: r.responses,
        inserted: r.inserted,
        duplicates: r.duplicates,
        conflicts: r.conflicts,
        skippedByCentral: r.skippedByCentral,
        queueDepth: r.queueDepth,
        config: r.config,
        configVersion: r.configVersion,
      };
      job.error = r.failure
        ? {
            code: r.failure.code,
            message: r.failure.message,
            status: r.failure.status,
            meaning: r.failure.meaning,
            action: r.failure.action,
          }
        : null;
      job.state = r.ok ? 'succeeded' : 'failed';
      if (r.ok) job.phase = 'done';
      audit(d.db, 'admin', 'sync_done', {
        ok: r.ok,
        responses: r.responses,
        inserted: r.inserted,
        duplicates: r.duplicates,
        conflicts: r.conflicts,
        queueDepth: r.queueDepth,
        error: r.failure?.code ?? null,
      });
    })
    .catch((e: unknown) => {
      job.state = 'failed';
      job.error = {
        code: 'internal',
        message: errorMessage(e),
        status: null,
        meaning: 'the kiosk failed while syncing',
        action: 'see the kiosk log; answers stay on the kiosk',
      };
      d.onError('sync now failed', e);
    })
    .finally(() => {
      job.finishedAt = iso(d.now());
    });
  return { ok: true, value: d.jobs.snapshot(job) };
};

/** Where an export may go: an absolute, existing (or creatable: its parent exists), writable directory. */
export const checkTarget = (raw: string): Result<string> => {
  const bad = (
    reason: 'not_absolute' | 'missing' | 'not_directory' | 'not_writable',
    message: string,
  ): Result<never> => ({
    ok: false,
    error: { code: 'target_unusable', reason, path: raw, message },
  });
  // A relative path would land in the app's working directory, wherever that is (E:\ is absolute on Windows).
  if (!isAbsolute(raw))
    return bad('not_absolute', `"${raw}" is not a full folder path (it must start with / or a drive letter)`);
  const path = resolve(raw);
  if (!existsSync(path)) {
    const parent = dirname(path);
    if (parent === path || !existsSync(parent) || !statSync(parent).isDirectory())
      return bad('missing', `${path} does not exist (is the USB stick plugged in and mounted?)`);
    if (!isWritableDir(parent))
      return bad('not_writable', `${parent} is not writable, so ${basename(path)} cannot be made there`);
    return { ok: true, value: path };
  }
  if (!statSync(path).isDirectory()) return bad('not_directory', `${path} is a file, not a folder`);
  if (!isWritableDir(path))
    return bad('not_writable', `${path} is not writable (a read-only stick, or a folder this app may not write to)`);
  return { ok: true, value: path };
};

export const startExport = (d: WorkDeps, rawTarget: string): Result<ExportJob> => {
  const running = d.jobs.latest('export');
  if (running?.state === 'running')
    return { ok: false, error: { code: 'busy', message: `an export to ${running.target} is still running` } };
  const target = checkTarget(rawTarget);
  if (!target.ok) return target;
  // Files signed by a key central never registered would only be refused there.
  if (!readEnrolment(d.db)) return notEnrolled('export, so central can verify the files');
  const outDir = target.value;
  mkdirSync(outDir, { recursive: true });
  const depth = queueDepth(d.db);
  const job = d.jobs.add<ExportJob>({
    kind: 'export',
    state: 'running',
    phase: 'writing',
    startedAt: iso(d.now()),
    finishedAt: null,
    done: 0,
    total: depth,
    target: outDir,
    files: [],
    bytes: 0,
    verified: false,
    error: null,
  });
  audit(d.db, 'admin', 'export_started', { target: outDir, queueDepth: depth });
  const fail = (code: string, message: string) => {
    job.state = 'failed';
    job.error = { code, message };
  };
  void (async () => {
    try {
      const r = await exportBatches({
        db: d.db,
        deviceId: d.deviceId,
        dataDir: d.dataDir,
        outDir,
        protector: d.protector,
        limits: d.limits,
        now: d.now,
        onProgress: (p) => {
          job.done = p.done;
          job.total = p.total;
        },
      });
      job.files = r.files.map((f) => ({
        name: basename(f.file),
        seqFrom: f.seqFrom,
        seqTo: f.seqTo,
        count: f.count,
        bytes: f.bytes,
        sha256: f.sha256,
      }));
      job.bytes = r.bytes;
      if (!r.ok) {
        fail(r.error?.code ?? 'export_failed', r.error?.message ?? 'the export stopped');
      } else {
        // Each file was verified against the database right after it was written; read them all
        // again now, so a stick that dropped an earlier file while later ones were written is caught.
        job.phase = 'checking';
        for (const f of r.files) {
          let actual: string;
          try {
            actual = sha256Hex(readFileSync(f.file));
          } catch (e) {
            actual = `unreadable: ${errorMessage(e)}`;
          }
          if (actual !== f.sha256) {
            fail(
              'verify_failed',
              `${basename(f.file)} no longer matches what was written and verified (${actual.slice(0, 40)}); export again`,
            );
            break;
          }
        }
        if (job.state === 'running') {
          job.verified = true;
          job.phase = 'done';
          job.state = 'succeeded';
          writeState(d.db, LAST_EXPORT_KEY, {
            at: iso(d.now()),
            target: outDir,
            files: r.files.length,
            responses: r.responses,
          });
        }
      }
      audit(d.db, 'admin', 'export_done', {
        target: outDir,
        ok: job.state === 'succeeded',
        files: job.files.length,
        responses: job.done,
        bytes: job.bytes,
        error: job.error?.code ?? null,
      });
    } catch (e) {
      fail('internal', errorMessage(e));
      d.onError('export failed', e);
    } finally {
      job.finishedAt = iso(d.now());
    }
  })();
  return { ok: true, value: d.jobs.snapshot(job) };
};
