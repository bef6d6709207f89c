import type { CentralDb } from '../db/types.ts';
import { upgradeRefusal } from './health.ts';
import { type SchemaWatch, schemaTooNew } from './schema-watch.ts';

/**
 * The database as a background job of an OLD instance sees it: every statement refused once a newer
 * release has migrated the schema, so jobs (the report drain) stop writing tables they may no longer
 * understand, as the request guard stops requests. The job logs the refusal and retries later, which
 * ends when the old instance is replaced.
 */
export const pausedWhenSchemaTooNew = (db: CentralDb, watch: SchemaWatch): CentralDb => {
  const refuse = (): void => {
    const s = watch.current();
    if (schemaTooNew(s)) throw new Error(upgradeRefusal(s));
  };
  return {
    kind: db.kind,
    description: db.description,
    query: async (sql, params) => {
      refuse();
      return db.query(sql, params);
    },
    exec: async (sql) => {
      refuse();
      return db.exec(sql);
    },
    copyIn: async (sql, data) => {
      refuse();
      return db.copyIn(sql, data);
    },
    transaction: async (fn) => {
      refuse();
      return db.transaction(fn);
    },
    close: () => db.close(),
  };
};
