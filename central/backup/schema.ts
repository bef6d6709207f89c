import { z } from 'zod';
import { parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';

/**
 * What the backup needs to know about central's schema, read from PostgreSQL's catalog rather than
 * listed by hand: whatever a migration adds (a table, a column, a sequence) is backed up without
 * this code changing. Everything lives in the connection's current schema.
 */

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const ident = quote;

const Name = z.object({ name: z.string() });

/** Base tables of the current schema, by name. */
export const listTables = async (db: Queryable): Promise<string[]> =>
  parseRows(
    Name,
    await db.query(
      `SELECT c.relname AS name FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
        ORDER BY c.relname`,
    ),
  ).map((r) => r.name);

/** A table's columns in order, without generated ones (the target computes those itself). */
export const listColumns = async (db: Queryable, table: string): Promise<string[]> =>
  parseRows(
    Name,
    await db.query(
      `SELECT a.attname AS name FROM pg_attribute a
        WHERE a.attrelid = (quote_ident(current_schema()) || '.' || quote_ident($1))::regclass
          AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ORDER BY a.attnum`,
      [table],
    ),
  ).map((r) => r.name);

/** Sequences of the current schema (bigserial ids) with where they stand. */
export const readSequences = async (
  db: Queryable,
): Promise<{ name: string; lastValue: string; isCalled: boolean }[]> => {
  const names = parseRows(
    Name,
    await db.query(
      `SELECT c.relname AS name FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'S' ORDER BY c.relname`,
    ),
  ).map((r) => r.name);
  const out = [];
  for (const name of names) {
    const row = parseRows(
      z.object({ last_value: z.coerce.string(), is_called: z.boolean() }),
      await db.query(`SELECT last_value::text AS last_value, is_called FROM ${quote(name)}`),
    )[0];
    if (row) out.push({ name, lastValue: row.last_value, isCalled: row.is_called });
  }
  return out;
};

/** Is there any relation (table, view, sequence) in the current schema? */
export const schemaHasObjects = async (db: Queryable): Promise<boolean> =>
  (
    await db.query(
      `SELECT 1 FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S') LIMIT 1`,
    )
  ).rows.length > 0;

/**
 * Tables whose rows the migrations themselves insert (the version list, one row of default follow-up
 * settings): a database with rows only there holds no data of its own.
 */
const SEEDED_BY_MIGRATIONS: ReadonlySet<string> = new Set(['schema_migrations', 'follow_up_settings']);

/** Tables holding at least one row, other than what the migrations seed. */
export const tablesWithRows = async (db: Queryable): Promise<string[]> => {
  const out: string[] = [];
  for (const t of await listTables(db)) {
    if (SEEDED_BY_MIGRATIONS.has(t)) continue;
    if ((await db.query(`SELECT 1 FROM ${quote(t)} LIMIT 1`)).rows.length > 0) out.push(t);
  }
  return out;
};

const Edge = z.object({ child: z.string(), parent: z.string() });

/**
 * The tables in an order where every table comes after the tables its foreign keys point to, so
 * rows can be loaded table by table. A table pointing at itself (units.parent_id) is loaded in one
 * statement, whose foreign key checks run at its end, so its rows may come in any order.
 */
export const loadOrder = async (db: Queryable, tables: readonly string[]): Promise<string[]> => {
  const edges = parseRows(
    Edge,
    await db.query(
      `SELECT child.relname AS child, parent.relname AS parent
         FROM pg_constraint k
         JOIN pg_class child ON child.oid = k.conrelid
         JOIN pg_class parent ON parent.oid = k.confrelid
        WHERE k.contype = 'f' AND child.relnamespace = current_schema()::regnamespace AND k.conrelid <> k.confrelid`,
    ),
  );
  const order: string[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (t: string): void => {
    if (placed.has(t)) return;
    if (visiting.has(t)) throw new Error(`the foreign keys between tables form a cycle through ${t}`);
    visiting.add(t);
    for (const e of edges) if (e.child === t) visit(e.parent);
    visiting.delete(t);
    placed.add(t);
    if (tables.includes(t)) order.push(t);
  };
  for (const t of tables) visit(t);
  return order;
};

/** Tables with a foreign key to themselves. */
export const selfReferencing = async (db: Queryable): Promise<Set<string>> =>
  new Set(
    parseRows(
      Name,
      await db.query(
        `SELECT DISTINCT c.relname AS name FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
          WHERE k.contype = 'f' AND k.conrelid = k.confrelid AND c.relnamespace = current_schema()::regnamespace`,
      ),
    ).map((r) => r.name),
  );
