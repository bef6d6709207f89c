import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { canonicalJson } from '../../../shared/canonical.ts';
import { ConfigBundle } from '../../../shared/catalog.ts';
import { PublishedContactKey } from '../../../shared/follow-up.ts';
import { openSigned, publicKeyFrom } from '../../../shared/node/signing.ts';
import type { SettingKey } from '../../../shared/settings.ts';
import { PublishedConfig, type Signed } from '../../../shared/sync.ts';
import type { ActiveConfig } from '../active-config.ts';
import { questionnaireHash } from '../active-config.ts';
import { audit } from '../store/audit.ts';
import { keepConfig } from '../store/config-store.ts';
import { setSetting } from '../store/settings.ts';
import { readState, writeState } from '../store/state.ts';

/**
 * Configuration published by central (docs/sync-protocol.md, "Configuration"): verified with the
 * central key received at enrolment, validated, checked against the questionnaires already stored
 * (a version's content may never change), then kept as the last good configuration. The kiosk core
 * makes it active for the next respondent; a survey in progress keeps the questionnaire it started.
 */

export type ConfigApplyResult =
  { ok: true; active: ActiveConfig; changed: boolean } | { ok: false; version: string | null; problems: string[] };

const PUBLISHED_KEY = 'sync.config';
const REFUSED_KEY = 'sync.configRefused';

const AppliedConfig = z.object({
  version: z.string(),
  hash: z.string(),
  publishedAt: z.string(),
  appliedAt: z.string(),
  /** Central's contact key as published with this configuration (absent: no follow-up offered). */
  contactKey: PublishedContactKey.optional(),
});
export const RefusedConfig = z.object({
  version: z.string().nullable(),
  problems: z.array(z.string()),
  at: z.string(),
});
export type RefusedConfig = z.infer<typeof RefusedConfig>;

const issues = (error: z.ZodError, prefix = ''): string[] =>
  error.issues.slice(0, 20).map((i) => `${prefix}${i.path.join('.') || '(root)'}: ${i.message}`);

/** Checks a `kconfig` document: format, signer, central's signature, then the PublishedConfig schema. */
export const verifyPublishedConfig = (
  doc: Signed,
  centralPublicKey: string,
): { ok: true; config: PublishedConfig } | { ok: false; version: string | null; problems: string[] } => {
  if (doc.format !== 'kconfig')
    return { ok: false, version: null, problems: [`document format is "${doc.format}", expected "kconfig"`] };
  if (doc.signer !== 'central')
    return { ok: false, version: null, problems: [`document signed by "${doc.signer}", expected "central"`] };
  const opened = openSigned(doc, publicKeyFrom(centralPublicKey));
  if (!opened.ok) return { ok: false, version: null, problems: [`${opened.reason}: ${opened.message}`] };
  const parsed = PublishedConfig.safeParse(opened.value);
  if (!parsed.success) {
    const v = (opened.value as { version?: unknown } | null)?.version;
    return { ok: false, version: typeof v === 'string' ? v : null, problems: issues(parsed.error) };
  }
  return { ok: true, config: parsed.data };
};

export const bundleHash = (bundle: ConfigBundle): string =>
  createHash('sha256').update(canonicalJson(bundle)).digest('hex');

/**
 * Stores a verified published configuration as the last good one (questionnaires by id and
 * version, public settings), in one transaction. Refused, with reasons, if a questionnaire changed
 * without a new version number.
 */
export const storePublishedConfig = (
  db: Database,
  published: PublishedConfig,
  now: Date = new Date(),
): ConfigApplyResult => {
  const bundle = ConfigBundle.safeParse(published.bundle);
  if (!bundle.success) return { ok: false, version: published.version, problems: issues(bundle.error, 'bundle.') };
  const hash = bundleHash(bundle.data);
  const source = `central:${published.version}`;
  const previous = readState(db, PUBLISHED_KEY, AppliedConfig);
  return db
    .transaction((): ConfigApplyResult => {
      const kept = keepConfig(db, { version: published.version, hash, bundle: bundle.data }, source, questionnaireHash);
      if (!kept.ok) return { ok: false, version: published.version, problems: kept.problems };
      const settingProblems: string[] = [];
      for (const [key, value] of Object.entries(published.settings ?? {})) {
        if (value === undefined) continue;
        const r = setSetting(db, key as SettingKey, value);
        if (!r.ok) settingProblems.push(`settings.${key}: ${r.message}`);
      }
      if (settingProblems.length > 0) throw new ConfigRefused(published.version, settingProblems);
      writeState(db, PUBLISHED_KEY, {
        version: published.version,
        hash,
        publishedAt: published.publishedAt,
        appliedAt: now.toISOString(),
        contactKey: published.contactKey,
      });
      db.prepare('DELETE FROM state WHERE key = ?').run(REFUSED_KEY);
      const changed =
        previous?.version !== published.version ||
        previous.hash !== hash ||
        previous.contactKey?.keyId !== published.contactKey?.keyId;
      if (changed)
        audit(db, 'system', 'config_applied', {
          version: published.version,
          publishedAt: published.publishedAt,
          source,
        });
      const active: ActiveConfig = { version: published.version, hash, bundle: bundle.data, source };
      if (published.contactKey) active.contactKey = published.contactKey;
      return { ok: true, active, changed };
    })
    .immediate();
};

class ConfigRefused extends Error {
  constructor(
    readonly version: string,
    readonly problems: string[],
  ) {
    super(problems.join('; '));
  }
}

/** storePublishedConfig, turning a refusal inside the transaction into a result. */
export const applyPublishedConfigToDb = (
  db: Database,
  published: PublishedConfig,
  now: Date = new Date(),
): ConfigApplyResult => {
  try {
    return storePublishedConfig(db, published, now);
  } catch (e) {
    if (e instanceof ConfigRefused) return { ok: false, version: e.version, problems: e.problems };
    throw e;
  }
};

/** The configuration central last published to this kiosk and the kiosk accepted, if any. */
export const loadPublishedConfig = (db: Database): ActiveConfig | undefined => {
  const applied = readState(db, PUBLISHED_KEY, AppliedConfig);
  if (!applied) return undefined;
  const row = db
    .prepare('SELECT version, hash, body, source FROM config_versions WHERE version = ?')
    .get(applied.version) as { version: string; hash: string; body: string; source: string } | undefined;
  if (!row) return undefined;
  const parsed = ConfigBundle.safeParse(JSON.parse(row.body));
  if (!parsed.success) return undefined;
  const active: ActiveConfig = { version: row.version, hash: row.hash, bundle: parsed.data, source: row.source };
  if (applied.contactKey) active.contactKey = applied.contactKey;
  return active;
};

export const recordConfigRefused = (
  db: Database,
  version: string | null,
  problems: string[],
  now: Date = new Date(),
): void => {
  db.transaction(() => {
    writeState(db, REFUSED_KEY, { version, problems: problems.slice(0, 20), at: now.toISOString() });
    audit(db, 'system', 'config_refused', { version, problems: problems.slice(0, 5) });
  }).immediate();
};

export const readConfigRefused = (db: Database): RefusedConfig | undefined => readState(db, REFUSED_KEY, RefusedConfig);
