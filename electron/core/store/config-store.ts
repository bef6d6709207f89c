import type { Database } from 'better-sqlite3';
import { ConfigBundle } from '../../../shared/catalog.ts';
import { Questionnaire } from '../../../shared/questionnaire.ts';

export type KeptConfig = { version: string; hash: string; bundle: ConfigBundle; source: string };

/**
 * Remembers a configuration that loaded cleanly, with each questionnaire by (id, version).
 * A questionnaire whose content changed but whose version did not is refused: answers already
 * recorded under that version must keep meaning what they meant.
 */
export const keepConfig = (
  db: Database,
  config: { version: string; hash: string; bundle: ConfigBundle },
  source: string,
  hashOf: (q: Questionnaire) => string,
): { ok: true } | { ok: false; problems: string[] } => {
  const problems: string[] = [];
  const existing = db.prepare('SELECT hash FROM questionnaires WHERE id = ? AND version = ?');
  for (const q of config.bundle.questionnaires) {
    const row = existing.get(q.id, q.version) as { hash: string } | undefined;
    if (row && row.hash !== hashOf(q))
      problems.push(`questionnaire "${q.id}" version ${q.version} changed without a new version number`);
  }
  if (problems.length > 0) return { ok: false, problems };
  db.transaction(() => {
    const addQ = db.prepare('INSERT OR IGNORE INTO questionnaires (id, version, hash, body) VALUES (?, ?, ?, ?)');
    for (const q of config.bundle.questionnaires) addQ.run(q.id, q.version, hashOf(q), JSON.stringify(q));
    db.prepare(
      `INSERT INTO config_versions (version, hash, body, source, loaded_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (version) DO UPDATE SET loaded_at = excluded.loaded_at, source = excluded.source`,
    ).run(config.version, config.hash, JSON.stringify(config.bundle), source, new Date().toISOString());
  }).immediate();
  return { ok: true };
};

/** The most recently loaded good configuration, if any. */
export const lastGoodConfig = (db: Database): KeptConfig | undefined => {
  const row = db
    .prepare('SELECT version, hash, body, source FROM config_versions ORDER BY loaded_at DESC, rowid DESC LIMIT 1')
    .get() as { version: string; hash: string; body: string; source: string } | undefined;
  if (!row) return undefined;
  const parsed = ConfigBundle.safeParse(JSON.parse(row.body));
  return parsed.success ? { version: row.version, hash: row.hash, bundle: parsed.data, source: row.source } : undefined;
};

export const storedQuestionnaire = (db: Database, id: string, version: number): Questionnaire | undefined => {
  const row = db.prepare('SELECT body FROM questionnaires WHERE id = ? AND version = ?').get(id, version) as
    { body: string } | undefined;
  if (!row) return undefined;
  const parsed = Questionnaire.safeParse(JSON.parse(row.body));
  return parsed.success ? parsed.data : undefined;
};
