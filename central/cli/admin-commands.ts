import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePassword } from '../console/auth/password.ts';
import { endSessionsOf } from '../console/auth/sessions.ts';
import {
  AdminRole,
  InvalidAccountError,
  UserExistsError,
  createAdminUser,
  findUserByName,
  setPassword,
} from '../console/auth/users.ts';
import { audit } from '../console/audit.ts';
import { UnknownUnitError } from '../ops/enrolment-codes.ts';
import { type CtlContext, UsageError } from './context.ts';

type Command = (args: string[], ctx: CtlContext) => Promise<number>;

/** --role province-admin | unit-viewer | follow-up-officer | counter-officer (also with underscores). */
const roleOf = (v: string | undefined): AdminRole => {
  const r = AdminRole.safeParse((v ?? 'province-admin').replace(/-/g, '_'));
  if (!r.success)
    throw new UsageError('--role must be province-admin, unit-viewer, follow-up-officer or counter-officer');
  return r.data;
};

/**
 * The password from --password-file (first line; the file is read by whichever process runs the
 * command, on this machine), else a generated one printed once. Never from the command line, where
 * other users could see it in the process list.
 */
const passwordFrom = (ctx: CtlContext, file: string | undefined): { password: string; generated: boolean } => {
  if (!file) return { password: generatePassword(), generated: true };
  const text = readFileSync(resolve(ctx.cwd, file), 'utf8');
  return { password: text.split(/\r?\n/)[0] ?? '', generated: false };
};

export const createAdmin: Command = async (args, ctx) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      unit: { type: 'string' },
      name: { type: 'string' },
      'password-file': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('expected one USERNAME');
  const role = roleOf(values.role);
  const { password, generated } = passwordFrom(ctx, values['password-file']);
  try {
    const user = await createAdminUser(ctx.db, {
      username: positionals[0]!,
      displayName: values.name,
      role,
      unitId: values.unit ?? null,
      password,
      initial: generated,
      now: ctx.now(),
    });
    await audit(ctx.db, {
      username: null,
      action: 'user_created',
      detail: { user: user.username, role: user.role, unit: user.unitId, by: 'centralctl' },
      at: ctx.now(),
    });
    ctx.out(
      generated
        ? `created ${user.username} (${user.role}${user.unitId ? `, unit ${user.unitId}` : ''}); password: ${password}\n`
        : `created ${user.username} (${user.role}${user.unitId ? `, unit ${user.unitId}` : ''})\n`,
    );
    if (generated) ctx.err('the password is shown only now; the console asks to change it at first login\n');
    return 0;
  } catch (e) {
    if (e instanceof InvalidAccountError) throw new UsageError(e.message);
    if (e instanceof UserExistsError || e instanceof UnknownUnitError) {
      ctx.err(`centralctl create-admin: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
};

/** For a forgotten password or a lockout of the only admin: a new password, lock lifted, sessions ended. */
export const resetAdminPassword: Command = async (args, ctx) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'password-file': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('expected one USERNAME');
  const user = await findUserByName(ctx.db, positionals[0]!);
  if (!user) {
    ctx.err(`centralctl reset-admin-password: no account "${positionals[0]}"\n`);
    return 1;
  }
  const { password, generated } = passwordFrom(ctx, values['password-file']);
  try {
    await setPassword(ctx.db, user.id, password, ctx.now(), true);
  } catch (e) {
    if (e instanceof InvalidAccountError) throw new UsageError(e.message);
    throw e;
  }
  await endSessionsOf(ctx.db, user.id);
  await audit(ctx.db, {
    username: null,
    action: 'password_reset',
    detail: { user: user.username, by: 'centralctl' },
    at: ctx.now(),
  });
  ctx.out(generated ? `new password for ${user.username}: ${password}\n` : `password of ${user.username} set\n`);
  return 0;
};
