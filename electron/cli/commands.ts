import type { Database } from 'better-sqlite3';
import { CaseFacts } from '../../shared/case-facts.ts';
import { ProcedureCode } from '../../shared/catalog.ts';
import { CaseNumber } from '../../shared/response.ts';
import { SECRET_SETTINGS, SettingKey, settingSchemas } from '../../shared/settings.ts';
import { readChoice, resolveAssignment, writeChoice } from '../core/assignment.ts';
import { loadConfigDir, EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import { LATEST_SCHEMA_VERSION } from '../core/db/migrations.ts';
import { schemaVersion } from '../core/db/open.ts';
import { ensureDeviceId } from '../core/device.ts';
import { audit } from '../core/store/audit.ts';
import { lastGoodConfig } from '../core/store/config-store.ts';
import { recordUse } from '../core/store/procedure-usage.ts';
import { listResponses, responseCounts, sequenceGaps } from '../core/store/responses.ts';
import { getSetting, setSetting } from '../core/store/settings.ts';
import { demoPinRoles } from '../core/store/demo-pins.ts';
import { parseCentralKeyPin } from '../core/sync/central-trust.ts';

/** Each command returns what to print and the exit code; main.ts does the I/O. */
export type Outcome = { exitCode: number; out: unknown; text: string };
const ok = (out: unknown, text: string): Outcome => ({ exitCode: 0, out, text });
const problem = (message: string, exitCode = 1, extra: Record<string, unknown> = {}): Outcome => ({
  exitCode,
  out: { error: message, ...extra },
  text: `error: ${message}`,
});

/** The kiosk's own last good config; before the kiosk has ever run, the embedded one. */
export const currentBundle = (db: Database) => {
  const kept = lastGoodConfig(db);
  if (kept) return { version: kept.version, bundle: kept.bundle };
  const embedded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!embedded.ok) throw new Error('embedded configuration is broken');
  return { version: embedded.config.version, bundle: embedded.config.bundle };
};

export const status = (db: Database, dbPath: string): Outcome => {
  const counts = responseCounts(db);
  const { version, bundle } = currentBundle(db);
  const { assignment } = resolveAssignment(bundle, readChoice(db));
  const out = {
    deviceId: ensureDeviceId(db),
    databasePath: dbPath,
    schemaVersion: schemaVersion(db),
    counts: { complete: counts.complete, abandoned: counts.abandoned, total: counts.total },
    lastSeq: counts.lastSeq,
    configVersion: version,
    procedure: {
      code: assignment.procedureCode,
      name: assignment.procedureName.vi,
      field: assignment.fieldCode,
      fieldName: assignment.fieldName.vi,
    },
    caseNumber: assignment.caseNumber,
    caseFacts: assignment.facts ?? null,
    officerId: assignment.officerId,
    counterId: assignment.counterId,
    demoPins: demoPinRoles(db),
    centralKeyFingerprint: getSetting(db, 'centralKeyFingerprint'),
  };
  const text = [
    `device      ${out.deviceId}`,
    `database    ${dbPath} (schema ${out.schemaVersion})`,
    `responses   ${counts.total} (${counts.complete} complete, ${counts.abandoned} abandoned), last seq ${counts.lastSeq}`,
    `procedure   ${assignment.procedureCode} ${assignment.procedureName.vi} [${assignment.fieldName.vi}]${assignment.caseNumber ? `, case ${assignment.caseNumber}` : ''}`,
    `config      ${version}`,
    `central key ${out.centralKeyFingerprint ?? '(not pinned)'}`,
    ...(out.demoPins.length > 0
      ? [
          `warning     the ${out.demoPins.join(' and ')} PIN is still the published demo PIN: enrolment is refused and ` +
            `sync held until it is changed (kioskctl config set ${out.demoPins[0]}Pin NEW)`,
        ]
      : []),
  ].join('\n');
  return ok(out, text);
};

export const responses = (db: Database, sinceSeq: number): Outcome => {
  const rows = listResponses(db, ensureDeviceId(db), { sinceSeq });
  return ok(
    rows,
    rows.map((r) => `${r.seq}\t${r.id}\t${r.status}\t${r.procedureCode}\t${r.submittedAt}`).join('\n') || '(none)',
  );
};

/** --facts: the case's facts as JSON (shared/case-facts.ts), every problem named by its field. */
export const parseFacts = (text: string): { facts: CaseFacts } | { error: string } => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: '--facts: expected JSON, e.g. {"dueAt":"2026-12-04T17:00:00+07:00","returnedAt":"..."}' };
  }
  const parsed = CaseFacts.safeParse(raw);
  if (parsed.success) return { facts: parsed.data };
  return {
    error: `--facts: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
  };
};

export const setProcedure = (
  db: Database,
  code: string,
  caseNumber: string | undefined,
  factsJson?: string,
): Outcome => {
  const parsedCode = ProcedureCode.safeParse(code);
  if (!parsedCode.success) return problem(`"${code}": ${parsedCode.error.issues[0]?.message}`, 2);
  const parsedCase = caseNumber === undefined ? null : CaseNumber.safeParse(caseNumber);
  if (parsedCase && !parsedCase.success)
    return problem(`--case "${caseNumber}": ${parsedCase.error.issues[0]?.message}`, 2);
  const facts = factsJson === undefined ? undefined : parseFacts(factsJson);
  if (facts && 'error' in facts) return problem(facts.error, 2);
  // Facts describe one case: without its number they could be taken for the next person's.
  if (facts && !parsedCase) return problem('--facts needs --case: facts describe one case', 2);
  const { bundle } = currentBundle(db);
  if (!bundle.catalog.procedures.some((p) => p.code === parsedCode.data))
    return problem(`no procedure ${code} in the kiosk's catalog`);
  const previous = readChoice(db);
  const choice = {
    procedureCode: parsedCode.data,
    caseNumber: parsedCase ? parsedCase.data : null,
    officerId: previous?.officerId ?? null,
    counterId: previous?.counterId ?? null,
    setAt: new Date().toISOString(),
    ...(facts ? { facts: facts.facts } : {}),
  };
  db.transaction(() => {
    writeChoice(db, choice);
    recordUse(db, choice.procedureCode);
    audit(db, 'kioskctl', 'set_assignment', choice);
  }).immediate();
  const { assignment } = resolveAssignment(bundle, choice);
  return ok(
    assignment,
    `procedure set: ${assignment.procedureCode} ${assignment.procedureName.vi} [${assignment.fieldName.vi}]`,
  );
};

export const verify = (db: Database): Outcome => {
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const foreignKeys = db.pragma('foreign_key_check') as unknown[];
  const gaps = sequenceGaps(db);
  const version = schemaVersion(db);
  const problems = [
    ...(integrity.length === 1 && integrity[0] === 'ok' ? [] : integrity.map((m) => `integrity: ${m}`)),
    ...foreignKeys.map((f) => `foreign key: ${JSON.stringify(f)}`),
    ...gaps.map((g) => `sequence gap: ${g.from}..${g.to} missing`),
    ...(version === LATEST_SCHEMA_VERSION ? [] : [`schema version ${version}, expected ${LATEST_SCHEMA_VERSION}`]),
  ];
  const counts = responseCounts(db);
  const out = { ok: problems.length === 0, problems, responses: counts.total, lastSeq: counts.lastSeq };
  return {
    exitCode: out.ok ? 0 : 1,
    out,
    text: out.ok
      ? `ok: ${counts.total} responses, sequence 1..${counts.lastSeq} without gaps, integrity ok`
      : problems.join('\n'),
  };
};

const parseValue = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};

export const configGet = (db: Database, key: string): Outcome => {
  const k = SettingKey.safeParse(key);
  if (!k.success) return problem(`unknown setting "${key}"; known: ${Object.keys(settingSchemas).join(', ')}`, 2);
  if (SECRET_SETTINGS.includes(k.data))
    return ok(
      { key, value: '(set; PINs are stored hashed and cannot be read)' },
      '(set; PINs are stored hashed and cannot be read)',
    );
  const value = getSetting(db, k.data as Exclude<SettingKey, 'staffPin' | 'adminPin'>);
  return ok({ key, value }, typeof value === 'string' ? value : JSON.stringify(value));
};

export const configSet = (db: Database, key: string, raw: string): Outcome => {
  const k = SettingKey.safeParse(key);
  if (!k.success) return problem(`unknown setting "${key}"; known: ${Object.keys(settingSchemas).join(', ')}`, 2);
  // PINs stay strings ("0123" must not become 123); everything else may be JSON. A value that only
  // fits as the text typed (counterName 12, officeName true) is taken as that text.
  const schema = settingSchemas[k.data] as { safeParse: (v: unknown) => { success: boolean } };
  const json = parseValue(raw);
  let value =
    SECRET_SETTINGS.includes(k.data) || (!schema.safeParse(json).success && schema.safeParse(raw).success) ? raw : json;
  if (k.data === 'centralKeyFingerprint' && json !== null) {
    // The fingerprint as IT types it (any case, colons), or central's public key as central prints it.
    const pinned = parseCentralKeyPin(raw);
    if (!pinned)
      return problem(
        `${key}: expected the central key's SHA-256 fingerprint (64 hex digits) or the key itself (43 characters), or null`,
        2,
      );
    value = pinned;
  }
  const result = db
    .transaction(() => {
      const r = setSetting(db, k.data, value);
      if (r.ok)
        audit(db, 'kioskctl', 'config_set', { key, value: SECRET_SETTINGS.includes(k.data) ? '(hidden)' : value });
      return r;
    })
    .immediate();
  if (result.ok) return ok({ key, ok: true }, `${key} set`);
  // A PIN the admin panel would refuse is refused here too, for the same reason (store/pin-rules.ts).
  return problem(`${key}: ${result.message}`, 2, result.pinRule ? { reason: result.pinRule } : {});
};
