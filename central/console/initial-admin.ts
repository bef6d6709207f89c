import type { Queryable } from '../db/types.ts';
import { generatePassword } from './auth/password.ts';
import { UserExistsError, countAdminUsers, createAdminUser } from './auth/users.ts';

/**
 * The demo account of `npm run central` on its embedded defaults (PGlite), documented in the
 * READMEs like the kiosk's demo PINs. The console asks to change it at every page until it is.
 */
export const DEMO_ADMIN = { username: 'admin', password: 'khaosat-demo-2026' } as const;

export type InitialAdmin = { username: string; password: string; demo: boolean };

/**
 * Creates the first province admin when there is no account at all: the documented demo password
 * on the embedded database, a random one (printed once) on PostgreSQL, where it is a real service.
 */
export const ensureInitialAdmin = async (
  db: Queryable,
  options: { demo: boolean; now?: Date },
): Promise<InitialAdmin | null> => {
  if ((await countAdminUsers(db)) > 0) return null;
  const password = options.demo ? DEMO_ADMIN.password : generatePassword();
  try {
    await createAdminUser(db, {
      username: DEMO_ADMIN.username,
      displayName: 'Quản trị',
      role: 'province_admin',
      password,
      initial: true,
      now: options.now,
    });
  } catch (e) {
    if (e instanceof UserExistsError) return null; // another starter made it first
    throw e;
  }
  return { username: DEMO_ADMIN.username, password, demo: options.demo };
};
