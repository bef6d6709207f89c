/**
 * The tiny database interface the central service is written against. PGlite (embedded, the default)
 * and node-postgres (DATABASE_URL) both implement it and run the SAME SQL: PostgreSQL 15+ dialect,
 * `$1` parameters, no driver-specific features.
 */
export type DbRow = Record<string, unknown>;
export type DbResult = { rows: DbRow[]; rowCount: number };

export interface Queryable {
  /** One statement with `$n` parameters. */
  query(sql: string, params?: readonly unknown[]): Promise<DbResult>;
  /** A script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * `COPY table (columns) FROM STDIN` with `data` in COPY's text format (one line per row, columns
   * separated by tabs, escaped as copyText does), sent in the given pieces: the cheapest way into a
   * table for many rows, since PostgreSQL parses no SQL, JSON or parameters for them.
   */
  copyIn(sql: string, data: readonly string[]): Promise<void>;
}

export type DbKind = 'pglite' | 'postgres';

export interface CentralDb extends Queryable {
  readonly kind: DbKind;
  /** Where the data lives, for logs ("PGlite at .data/central/pgdata", "PostgreSQL at host:port/db"). */
  readonly description: string;
  /** Runs fn in one transaction (READ COMMITTED): committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: LISTEN on a channel over a connection of its own, reconnecting when it drops
   * (`onReconnect` then runs: notifications sent meanwhile are lost). Resolves to what stops it.
   */
  listen?(channel: string, onNotify: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>>;
}
