import { z } from 'zod';
import { hasUnsafeChars } from '../clean-text.ts';
import { Int, NullableTimestamp, Timestamp, firstRow, parseRows } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';
import { UnknownUnitError } from '../../ops/enrolment-codes.ts';
import { getUnit } from '../../ops/units.ts';
import { clearAccount } from './login-failures.ts';
import { hashPassword, passwordProblem } from './password.ts';

/**
 * Province admin: everything. Unit viewer: read-only, its own unit's devices and data only. Follow-up
 * officer: what a unit viewer sees, plus the follow-ups (citizens' contacts) of its unit and the units
 * under it; the only role besides the province admin that may see a contact.
 */
export const AdminRole = z.enum(['province_admin', 'unit_viewer', 'follow_up_officer', 'counter_officer']);
export type AdminRole = z.infer<typeof AdminRole>;

/** What a role sees of the reports: a follow-up officer sees its unit's figures as a unit viewer does. */
export const reportRoleOf = (role: AdminRole): 'province_admin' | 'unit_viewer' =>
  role === 'province_admin' ? 'province_admin' : 'unit_viewer';

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, 'a username is 3 to 32 lower-case letters, digits, ".", "_" or "-"');

/** Shown on every page and in the audit log: no control or format characters (clean-text.ts). */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((s) => !hasUnsafeChars(s));

const UserRow = z.object({
  id: Int,
  username: z.string(),
  display_name: z.string(),
  role: AdminRole,
  unit_id: z.string().nullable(),
  password_hash: z.string(),
  password_is_initial: z.boolean(),
  created_at: Timestamp,
  disabled_at: NullableTimestamp,
  last_login_at: NullableTimestamp,
});

export type AdminUser = {
  id: number;
  username: string;
  displayName: string;
  role: AdminRole;
  unitId: string | null;
  passwordHash: string;
  passwordIsInitial: boolean;
  createdAt: Date;
  disabledAt: Date | null;
  lastLoginAt: Date | null;
};

const COLUMNS =
  'id, username, display_name, role, unit_id, password_hash, password_is_initial, created_at, disabled_at, last_login_at';

const toUser = (r: z.infer<typeof UserRow>): AdminUser => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  unitId: r.unit_id,
  passwordHash: r.password_hash,
  passwordIsInitial: r.password_is_initial,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
  lastLoginAt: r.last_login_at,
});

export class UserExistsError extends Error {
  constructor(readonly username: string) {
    super(`an account "${username}" already exists`);
    this.name = 'UserExistsError';
  }
}

export class InvalidAccountError extends Error {
  constructor(
    readonly problem:
      'username' | 'display_name' | 'password_too_short' | 'password_too_long' | 'unit_required' | 'unit_not_allowed',
    message: string,
  ) {
    super(message);
    this.name = 'InvalidAccountError';
  }
}

export type NewAdminUser = {
  username: string;
  displayName?: string;
  role: AdminRole;
  unitId?: string | null;
  password: string;
  initial?: boolean;
  now?: Date;
};

/** Creates a console account (password hashed with scrypt). Throws InvalidAccountError, UnknownUnitError or UserExistsError. */
export const createAdminUser = async (db: Queryable, input: NewAdminUser): Promise<AdminUser> => {
  const username = Username.safeParse(input.username);
  if (!username.success)
    throw new InvalidAccountError('username', username.error.issues[0]?.message ?? 'invalid username');
  const displayName = DisplayName.safeParse(input.displayName ?? username.data);
  if (!displayName.success) throw new InvalidAccountError('display_name', 'a display name is 1 to 80 characters');
  const problem = passwordProblem(input.password);
  if (problem)
    throw new InvalidAccountError(
      problem === 'too_short' ? 'password_too_short' : 'password_too_long',
      `password ${problem.replace('_', ' ')}`,
    );
  const unitId = input.unitId || null;
  if (input.role !== 'province_admin' && !unitId)
    throw new InvalidAccountError('unit_required', 'a unit viewer or follow-up officer needs a unit');
  if (input.role === 'province_admin' && unitId)
    throw new InvalidAccountError('unit_not_allowed', 'a province admin sees every unit; give no unit');
  if (unitId && !(await getUnit(db, unitId))) throw new UnknownUnitError(unitId);
  const now = input.now ?? new Date();
  const hash = await hashPassword(input.password);
  const r = await db.query(
    `INSERT INTO admin_users (username, display_name, role, unit_id, password_hash, password_is_initial, created_at, password_changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
    [username.data, displayName.data, input.role, unitId, hash, input.initial ?? false, now],
  );
  const row = firstRow(UserRow, r);
  if (!row) throw new UserExistsError(username.data);
  return toUser(row);
};

export const findUserByName = async (
  db: Queryable,
  username: string,
  options: { forUpdate?: boolean } = {},
): Promise<AdminUser | undefined> => {
  const name = Username.safeParse(username);
  if (!name.success) return undefined;
  const row = firstRow(
    UserRow,
    await db.query(`SELECT ${COLUMNS} FROM admin_users WHERE username = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [
      name.data,
    ]),
  );
  return row && toUser(row);
};

export const findUserById = async (db: Queryable, id: number): Promise<AdminUser | undefined> => {
  const row = firstRow(UserRow, await db.query(`SELECT ${COLUMNS} FROM admin_users WHERE id = $1`, [id]));
  return row && toUser(row);
};

export const listAdminUsers = async (db: Queryable): Promise<AdminUser[]> =>
  parseRows(UserRow, await db.query(`SELECT ${COLUMNS} FROM admin_users ORDER BY username`)).map(toUser);

export const countAdminUsers = async (db: Queryable): Promise<number> =>
  firstRow(z.object({ n: Int }), await db.query('SELECT count(*) AS n FROM admin_users'))?.n ?? 0;

/** Province admins that can still log in: the console refuses to disable the last one. */
export const countActiveProvinceAdmins = async (db: Queryable): Promise<number> =>
  firstRow(
    z.object({ n: Int }),
    await db.query(`SELECT count(*) AS n FROM admin_users WHERE role = 'province_admin' AND disabled_at IS NULL`),
  )?.n ?? 0;

/** Sets a new password (and clears any lockout); every session of the account is ended by the caller. */
export const setPassword = async (
  db: Queryable,
  userId: number,
  password: string,
  now: Date,
  initial = false,
): Promise<void> => {
  const problem = passwordProblem(password);
  if (problem)
    throw new InvalidAccountError(
      problem === 'too_short' ? 'password_too_short' : 'password_too_long',
      `password ${problem.replace('_', ' ')}`,
    );
  const hash = await hashPassword(password);
  await db.query(
    'UPDATE admin_users SET password_hash = $2, password_is_initial = $3, password_changed_at = $4 WHERE id = $1',
    [userId, hash, initial, now],
  );
  // A new password ends every lock on the account (as it did when the lock was on the account).
  await clearAccount(db, userId);
};

export const setDisabled = async (db: Queryable, userId: number, disabledAt: Date | null): Promise<void> => {
  await db.query('UPDATE admin_users SET disabled_at = $2 WHERE id = $1', [userId, disabledAt]);
};

/** A province admin's unlock: every address's count and lock for this account; returns the addresses cleared. */
export const unlockUser = (db: Queryable, userId: number): Promise<string[]> => clearAccount(db, userId);
