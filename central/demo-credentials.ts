import { isIP } from 'node:net';
import { z } from 'zod';
import { verifyPassword } from './console/auth/password.ts';
import { DEMO_ADMIN } from './console/initial-admin.ts';
import { parseRows } from './db/rows.ts';
import type { Queryable } from './db/types.ts';

/** 127.0.0.0/8, ::1 and "localhost": only this machine can connect. */
export const isLoopbackHost = (host: string): boolean => {
  if (host === 'localhost' || host === '::1' || host === '::ffff:127.0.0.1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
};

/**
 * The documented demo password is fine for the embedded demo on loopback; a central on PostgreSQL
 * (a real service) or reachable from the network (anyone there can read the README) must not run
 * with it. Thrown before listening; main.ts prints the message as one line.
 */
export class DemoCredentialsError extends Error {
  constructor(usernames: string[], where: string) {
    super(
      `refusing to start ${where} while the console account${usernames.length > 1 ? 's' : ''} ${usernames.map((u) => `"${u}"`).join(', ')} still ha${usernames.length > 1 ? 've' : 's'} the documented demo password; set a real one first: npx centralctl reset-admin-password ${usernames[0]} [--password-file FILE] (same DATABASE_URL / --data-dir)`,
    );
    this.name = 'DemoCredentialsError';
  }
}

const Account = z.object({ username: z.string(), password_hash: z.string() });

/** Enabled accounts whose password is still the demo one (a scrypt check per account: a handful). */
export const accountsWithDemoPassword = async (db: Queryable): Promise<string[]> => {
  const accounts = parseRows(
    Account,
    await db.query('SELECT username, password_hash FROM admin_users WHERE disabled_at IS NULL ORDER BY username'),
  );
  const demo = await Promise.all(accounts.map((a) => verifyPassword(DEMO_ADMIN.password, a.password_hash)));
  return accounts.filter((_, i) => demo[i]).map((a) => a.username);
};

/** Refuses (DemoCredentialsError) a real deployment that still has a demo password; the demo itself passes. */
export const refuseDemoCredentials = async (
  db: Queryable,
  deployment: { postgres: boolean; host: string },
): Promise<void> => {
  const exposed = !isLoopbackHost(deployment.host);
  if (!deployment.postgres && !exposed) return;
  const names = await accountsWithDemoPassword(db);
  if (names.length === 0) return;
  const where = deployment.postgres ? 'on PostgreSQL' : `listening on ${deployment.host} (beyond loopback)`;
  throw new DemoCredentialsError(names, where);
};
