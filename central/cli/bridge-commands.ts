/** centralctl commands for the counter bridge (issue 11): invitations, kiosks' counters, integration keys. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../shared/error-message.ts';
import { setDeviceCounter } from '../bridge/device-counter.ts';
import { CounterInvitationRequest, issueInvitation } from '../bridge/issue.ts';
import { createIntegrationKey, listIntegrationKeys, revokeIntegrationKey } from '../bridge/keys.ts';
import { fieldPath } from '../errors.ts';
import { type CtlContext, UsageError } from './context.ts';

type Command = (args: string[], ctx: CtlContext) => Promise<number>;

const readFacts = (ctx: CtlContext, file: string | undefined): unknown => {
  if (file === undefined) return undefined;
  try {
    return JSON.parse(readFileSync(resolve(ctx.cwd, file), 'utf8')) as unknown;
  } catch (e) {
    throw new UsageError(`--facts ${file}: ${errorMessage(e)}`);
  }
};

const ttlOption = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError('--ttl must be a whole number of seconds');
  return n;
};

/** centralctl invite --unit U --counter C --case N --procedure P [--officer O] [--ttl S] [--facts FILE] [--json] */
const invite: Command = async (args, ctx) => {
  const { values } = parseArgs({
    args,
    options: {
      unit: { type: 'string' },
      counter: { type: 'string' },
      case: { type: 'string' },
      procedure: { type: 'string' },
      officer: { type: 'string' },
      ttl: { type: 'string' },
      facts: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const facts = readFacts(ctx, values.facts);
  const ttlSeconds = ttlOption(values.ttl);
  const parsed = CounterInvitationRequest.safeParse({
    unitId: values.unit,
    counterId: values.counter,
    caseNumber: values.case,
    procedureCode: values.procedure,
    ...(values.officer === undefined ? {} : { officerId: values.officer }),
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    ...(facts === undefined ? {} : { facts }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option: Record<string, string> = {
      unitId: '--unit',
      counterId: '--counter',
      caseNumber: '--case',
      procedureCode: '--procedure',
      officerId: '--officer',
      ttlSeconds: '--ttl',
    };
    const path = fieldPath(issue?.path ?? []);
    const name = option[path] ?? (path.startsWith('facts') ? `--facts (${path})` : path);
    throw new UsageError(`${name}: ${issue?.message ?? 'invalid'}`);
  }
  const invitation = await issueInvitation(ctx.db, { request: parsed.data, issuedBy: 'cli', now: ctx.now() });
  if (values.json) ctx.out(`${JSON.stringify({ invitation, status: 'waiting' })}\n`);
  else {
    ctx.out(`${invitation.id}\n`);
    ctx.err(
      `invitation for case ${invitation.caseNumber} at counter ${invitation.counterId} of unit ${parsed.data.unitId}: waiting, until ${invitation.expiresAt}\n`,
    );
  }
  return 0;
};

/** centralctl device-counter DEVICE COUNTER|--clear */
const deviceCounter: Command = async (args, ctx) => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { clear: { type: 'boolean' } } });
  const [device, counter] = positionals;
  if (!device || positionals.length !== (values.clear ? 1 : 2))
    throw new UsageError('expected DEVICE and COUNTER, or DEVICE --clear');
  let outcome;
  try {
    outcome = await setDeviceCounter(ctx.db, device, values.clear ? null : (counter ?? null));
  } catch (e) {
    throw new UsageError(`COUNTER ${counter ?? ''}: letters, digits, "_", "." or "-", up to 32 (${errorMessage(e)})`);
  }
  if (outcome === 'unknown_device') {
    ctx.err(`centralctl: no device ${device} (see centralctl devices)\n`);
    return 1;
  }
  ctx.out(
    outcome === 'cleared'
      ? `device ${device} stands at no counter\n`
      : `device ${device} stands at counter ${counter}\n`,
  );
  return 0;
};

/** centralctl integration-key create --label L --unit U [--unit U2…] | list [--json] | revoke ID */
const integrationKey: Command = async (args, ctx) => {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: { label: { type: 'string' }, unit: { type: 'string', multiple: true } },
    });
    if (!values.label || !values.unit?.length) throw new UsageError('create needs --label and at least one --unit');
    const { key, secret } = await createIntegrationKey(ctx.db, {
      label: values.label,
      unitIds: values.unit,
      createdBy: 'cli',
      now: ctx.now(),
    });
    ctx.out(`${secret}\n`);
    ctx.err(`integration key ${key.id} "${key.label}" for ${key.unitIds.join(', ')}: the secret above is shown once\n`);
    return 0;
  }
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
    const keys = await listIntegrationKeys(ctx.db);
    if (values.json) ctx.out(`${JSON.stringify(keys)}\n`);
    else
      for (const k of keys)
        ctx.out(
          `${k.id}  ${k.label}  units ${k.unitIds.join(',')}  created ${k.createdAt.toISOString()} by ${k.createdBy}  ` +
            `${k.revokedAt ? `REVOKED ${k.revokedAt.toISOString()}` : `last used ${k.lastUsedAt?.toISOString() ?? 'never'}`}\n`,
        );
    return 0;
  }
  if (sub === 'revoke') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError('revoke needs the key id (see integration-key list)');
    if (!(await revokeIntegrationKey(ctx.db, positionals[0]!, ctx.now()))) {
      ctx.err(`centralctl: no unrevoked integration key ${positionals[0]}\n`);
      return 1;
    }
    ctx.out(`revoked integration key ${positionals[0]}\n`);
    return 0;
  }
  throw new UsageError('integration-key create|list|revoke');
};

export const BRIDGE_COMMANDS: readonly (readonly [string, Command])[] = [
  ['invite', invite],
  ['device-counter', deviceCounter],
  ['integration-key', integrationKey],
];
