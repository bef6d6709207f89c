import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from '@playwright/test';
import { type AuditEntry, recentAudit } from '../../../electron/core/store/audit.ts';
import type { StoredResponse } from '../../../shared/response.ts';
import { QUICK_PROCEDURE, type Host, configSet, expect, kioskctl, startHost, stopHost, test } from './host.ts';

/**
 * One browser host for a whole spec file: starting one costs seconds (tsx, SQLite, kioskctl), so the
 * tests of a file share it and tell their own responses apart by sequence number. Settings are changed
 * with kioskctl while the host runs (the core reads them on every call, as in the field).
 */
export type SharedHost = {
  readonly host: Host;
  readonly dataDir: string;
  /** Opens the kiosk page and waits for the attract screen. */
  open: (page: Page) => Promise<void>;
  /** The highest stored sequence number now (responses after it are this test's). */
  lastSeq: () => number;
  /** Polls kioskctl until exactly `count` responses follow `since`, and returns them. */
  responsesAfter: (since: number, count: number, timeout?: number) => Promise<StoredResponse[]>;
  setting: (key: string, value: string) => void;
  setProcedure: (code: string, ...args: string[]) => void;
  /** The audit log, newest first, read from the kiosk's database. */
  audit: () => AuditEntry[];
};

/** Reads the kiosk's database (WAL: safe while the host runs). */
export const readDb = <T>(dataDir: string, read: (db: Database.Database) => T): T => {
  const db = new Database(join(dataDir, 'kiosk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
};

export const shareHost = ({
  settings = {},
  procedure = QUICK_PROCEDURE,
}: { settings?: Record<string, string>; procedure?: string } = {}): SharedHost => {
  let current: Host | undefined;
  let dir = '';
  test.beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-'));
    current = await startHost(dir);
    for (const [k, v] of Object.entries(settings)) configSet(dir, k, v);
    kioskctl(dir, 'set-procedure', procedure);
  });
  test.afterAll(async () => {
    if (current) await stopHost(current);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const host = (): Host => {
    if (!current) throw new Error('the shared host is not running (beforeAll failed?)');
    return current;
  };
  return {
    get host() {
      return host();
    },
    get dataDir() {
      return host().dataDir;
    },
    open: async (page) => {
      await page.goto(host().url);
      await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
    },
    // Read straight from the database: a kioskctl start costs over a second, and this is only a bookmark.
    lastSeq: () =>
      readDb(
        host().dataDir,
        (db) => (db.prepare('SELECT IFNULL(MAX(seq), 0) AS s FROM responses').get() as { s: number }).s,
      ),
    responsesAfter: async (since, count, timeout = 10_000) => {
      let last: StoredResponse[] = [];
      await expect
        .poll(
          () => {
            last = kioskctl(host().dataDir, 'responses', '--since', String(since)) as StoredResponse[];
            return last.length;
          },
          { timeout },
        )
        .toBe(count);
      return last;
    },
    setting: (key, value) => configSet(host().dataDir, key, value),
    setProcedure: (code, ...args) => {
      kioskctl(host().dataDir, 'set-procedure', code, ...args);
    },
    audit: () => readDb(host().dataDir, (db) => recentAudit(db, 200)),
  };
};
