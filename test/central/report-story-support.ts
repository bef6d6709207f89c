/**
 * Helpers of the reports end-to-end story (report-story.test.ts): kiosks on a fake clock, staff choosing
 * the procedure and case number as the staff panel does, respondents answering through the core's API, and
 * centralctl run in-process on central's database.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../central/cli/commands.ts';
import { type CentralDb, type RunningCentral, startCentral } from '../../central/index.ts';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { enrol } from '../../electron/core/sync/enrolment.ts';
import type { Answers } from '../../shared/answers.ts';
import { EMBEDDED_CONFIG_DIR, EMBEDDED_RETIRED_DIR } from '../../shared/node/config-loader.ts';
import { OFFICE_STAFF_PIN, setOfficePins } from '../support/pins.ts';
import { type FakeClock, fakeClock, okValue } from '../support/kiosk.ts';
import type { Backend } from '../support/central.ts';
import { sharedPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tmp.ts';
import { type TestKiosk, now, silent } from '../sync/support/kiosk.ts';
import { PER_CASE_QUESTIONS } from '../support/responses.ts';

/** Vietnam time (UTC+7, no daylight saving) as an instant: vn('2026-10-31 23:30') is 16:30 UTC that day; seconds optional. */
export const vn = (local: string): number =>
  Date.parse(`${local.replace(' ', 'T')}${local.length === 16 ? ':00' : ''}+07:00`);

export type ClockedKiosk = TestKiosk & { clock: FakeClock };

/**
 * The story's province still runs the nine-indicator per-case version 1 (the embedded default is now
 * version 2, which takes indicators from facts): the embedded configuration with v1 in its place.
 */
const perCaseV1Config = (dataDir: string): string => {
  const dir = join(dataDir, 'config');
  cpSync(EMBEDDED_CONFIG_DIR, dir, { recursive: true });
  copyFileSync(join(EMBEDDED_RETIRED_DIR, 'per-case.v1.json'), join(dir, 'questionnaires', 'per-case.json'));
  return dir;
};

/** A real kiosk core on a temp data dir whose wall and monotonic clocks the story moves by hand. */
export const openClockedKiosk = (start: number): ClockedKiosk => {
  const t = tempDir('kiosk-story-');
  const clock = fakeClock(start);
  const core = openKioskCore({ dataDir: t.dir, log: silent, clock, configDir: perCaseV1Config(t.dir) });
  setOfficePins(core.db);
  return {
    core,
    clock,
    dataDir: t.dir,
    db: core.db,
    deviceId: core.deviceId,
    close: () => {
      core.close();
      t.cleanup();
    },
  };
};

/** Enrols the kiosk with a code IT issued for its unit. */
export const enrolWith = async (kiosk: TestKiosk, centralUrl: string, code: string): Promise<void> => {
  const r = await enrol({ db: kiosk.db, dataDir: kiosk.dataDir, centralUrl, code, label: 'story kiosk' });
  if (!r.ok) throw new Error(`enrolment failed: ${r.code} ${r.message}`);
};

/** Moves the kiosk's clocks forward to this instant (real time passing: wall and monotonic together). */
const moveTo = (clock: FakeClock, at: number): void => {
  if (at < clock.now()) throw new Error(`the story goes back in time on a kiosk (${new Date(at).toISOString()})`);
  clock.advance(at - clock.now());
};

/** Staff unlock the panel and choose the procedure and case number, as the staff panel does. */
export const staffAssigns = (kiosk: ClockedKiosk, procedureCode: string, caseNumber: string | null): void => {
  const { session } = okValue(now(kiosk.core.staffUnlock({ pin: OFFICE_STAFF_PIN })));
  okValue(now(kiosk.core.setAssignment({ session, procedureCode, caseNumber, officerId: null, counterId: null })));
  now(kiosk.core.staffLock({ session }));
};

export type Visit = {
  /** When the respondent taps the last button, Vietnam time ('2026-10-05 09:00'). */
  at: string;
  /** Seconds spent answering (the survey began this long before `at`). */
  seconds?: number;
  answers: Answers;
  status?: 'complete' | 'abandoned';
};

/** One respondent: beginResponse, then submit (or walk away) at `at`. Returns the stored response's flags. */
export const respond = (kiosk: ClockedKiosk, visit: Visit): { rapidRepeat: boolean; clockSuspect: boolean } => {
  const end = vn(visit.at);
  moveTo(kiosk.clock, end - (visit.seconds ?? 60) * 1000);
  const begun = okValue(now(kiosk.core.beginResponse({})));
  moveTo(kiosk.clock, end);
  const draft = { draftId: begun.draftId, locale: 'vi', answers: visit.answers };
  if (visit.status === 'abandoned') {
    okValue(now(kiosk.core.abandonResponse(draft)));
    return { rapidRepeat: false, clockSuspect: false };
  }
  return okValue(now(kiosk.core.submitResponse(draft))).flags;
};

/** Answers to the per-case questionnaire: the points of indicators 1..9, as the respondent tapped them. */
export const perCase = (points: readonly [number, number, number, number, number, number, number, number, number]) =>
  Object.fromEntries(PER_CASE_QUESTIONS.map((id, i) => [id, points[i]!])) satisfies Answers;

export type CtlRun = { code: number; stdout: string; stderr: string };

/** centralctl as the console's server runs it: in-process, on central's own database, the real report engine. */
export const centralctl = async (db: CentralDb, args: string[], at = new Date()): Promise<CtlRun> => {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, {
    db,
    centralKey: () => {
      throw new Error('no command of this story signs with central key');
    },
    cwd: process.cwd(),
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    now: () => at,
  });
  return { code, stdout, stderr };
};

/**
 * A central on loopback with a data dir, so that centralctl can also run as its own process, as IT runs
 * it: on PGlite through the running server's admin endpoint, on PostgreSQL straight on DATABASE_URL.
 */
export type StoryCentral = {
  central: RunningCentral;
  /** centralctl in its own process on this central's data: exit code, stdout, stderr. */
  centralctlProcess: (args: string[]) => Promise<CtlRun>;
  close: () => Promise<void>;
};

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'centralctl.js');

export const startStoryCentral = async (backend: Backend): Promise<StoryCentral> => {
  const dir = tempDir('central-story-');
  const databaseUrl = backend === 'postgres' ? await (await sharedPostgres()).createDatabase() : undefined;
  const central = await startCentral({
    dataDir: dir.dir,
    ...(databaseUrl ? { databaseUrl } : {}),
    host: '127.0.0.1',
    port: 0,
    rateLimit: { perIp: false, perDevice: false },
  });
  const centralctlProcess = (args: string[]): Promise<CtlRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, '--data-dir', dir.dir, ...args], {
        env: { ...process.env, DATABASE_URL: databaseUrl ?? '' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  return {
    central,
    centralctlProcess,
    close: async () => {
      await central.close();
      dir.cleanup();
    },
  };
};
