import type { Database } from 'better-sqlite3';
import { type ConfigProblem, EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import type { PublishedConfig } from '../../shared/sync.ts';
import { type ActiveConfig, loadActiveConfig } from './active-config.ts';
import type { Logger } from './runtime.ts';
import { type ConfigApplyResult, applyPublishedConfigToDb, loadPublishedConfig } from './sync/published-config.ts';

/**
 * The configuration the kiosk runs, held as one value that exists from the moment the holder does:
 * loaded at once, replaced whole by a reload or by a configuration central published. A survey in
 * progress keeps the questionnaire it started with (its draft holds it), so replacing is safe anytime.
 */
export type ConfigHolder = {
  active: () => ActiveConfig;
  /** What was wrong with the configuration directory at the last (re)load; empty when nothing. */
  problems: () => ConfigProblem[];
  reload: () => ConfigProblem[];
  /** A verified configuration from central becomes the last good one and the active one, or is refused with reasons. */
  applyPublished: (published: PublishedConfig) => ConfigApplyResult;
};

type Loaded = { active: ActiveConfig; problems: ConfigProblem[] };

export const openConfigHolder = (options: {
  db: Database;
  configDir: string;
  log: Logger;
  now: () => number;
}): ConfigHolder => {
  const { db, configDir, log } = options;
  const load = (): Loaded => {
    const fromDir = loadActiveConfig(db, configDir, EMBEDDED_CONFIG_DIR);
    // An enrolled kiosk runs the configuration central last published to it, when it has one.
    const active = loadPublishedConfig(db) ?? fromDir.active;
    if (fromDir.problems.length > 0)
      log('error', `configuration in ${configDir} refused; running on ${active.version}`, {
        problems: fromDir.problems,
      });
    return { active, problems: fromDir.problems };
  };
  let current = load();
  return {
    active: () => current.active,
    problems: () => current.problems,
    reload: () => {
      current = load();
      return current.problems;
    },
    applyPublished: (published) => {
      const applied = applyPublishedConfigToDb(db, published, new Date(options.now()));
      if (applied.ok) current = { ...current, active: applied.active };
      else
        log('error', `configuration ${published.version} from central refused; running on ${current.active.version}`, {
          problems: applied.problems,
        });
      return applied;
    },
  };
};
