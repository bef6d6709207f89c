import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { ConfigBundle } from '../../shared/catalog.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { type ConfigProblem, loadConfigDir } from '../../shared/node/config-loader.ts';
import type { PublishedContactKey } from '../../shared/follow-up.ts';
import { keepConfig, lastGoodConfig } from './store/config-store.ts';

export type ActiveConfig = {
  version: string;
  hash: string;
  bundle: ConfigBundle;
  source: string;
  /** Central's key for sealing follow-up contacts: only in a configuration central published (signed). */
  contactKey?: PublishedContactKey;
};
export type ConfigLoad = { active: ActiveConfig; problems: ConfigProblem[] };

export const questionnaireHash = (q: unknown): string => createHash('sha256').update(canonicalJson(q)).digest('hex');

/**
 * Loads the configuration from a directory; when it is broken, keeps running on the last good one
 * remembered in the database, and reports every problem with its file and field.
 */
export const loadActiveConfig = (db: Database, dir: string, fallbackDir: string): ConfigLoad => {
  const loaded = loadConfigDir(dir);
  if (loaded.ok) {
    const kept = keepConfig(db, loaded.config, dir, questionnaireHash);
    if (kept.ok) return { active: { ...loaded.config, source: dir }, problems: [] };
    const problems = kept.problems.map((message) => ({ file: dir, path: 'questionnaires', message }));
    return { active: fallback(db, fallbackDir), problems };
  }
  return { active: fallback(db, fallbackDir), problems: loaded.problems };
};

const fallback = (db: Database, fallbackDir: string): ActiveConfig => {
  const last = lastGoodConfig(db);
  if (last) return last;
  const embedded = loadConfigDir(fallbackDir);
  if (!embedded.ok) throw new Error(`embedded configuration is broken: ${JSON.stringify(embedded.problems)}`);
  const kept = keepConfig(db, embedded.config, fallbackDir, questionnaireHash);
  if (!kept.ok)
    throw new Error(`embedded configuration conflicts with stored questionnaires: ${kept.problems.join('; ')}`);
  return { ...embedded.config, source: fallbackDir };
};
