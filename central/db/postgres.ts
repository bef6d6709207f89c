import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { errorMessage } from '../../shared/error-message.ts';
import type { CentralDb, DbRow, Queryable } from './types.ts';

const copyOn = async (client: pg.PoolClient | pg.Client, sql: string, data: readonly string[]): Promise<void> => {
  await pipeline(Readable.from(data), client.query(copyFrom(sql)));
};

const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
  query: async (sql, params = []) => {
    const r = await client.query<DbRow>(sql, [...params]);
    return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length };
  },
  exec: async (sql) => {
    // Without parameters node-postgres uses the simple query protocol, which runs several statements.
    await client.query(sql);
  },
  copyIn: async (sql, data) => {
    if (!(client instanceof pg.Pool)) return copyOn(client, sql, data);
    // A COPY needs one connection for its whole stream: the pool lends one.
    const own = await client.connect();
    try {
      await copyOn(own, sql, data);
    } finally {
      own.release();
    }
  },
});

const describe = (url: string): string => {
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname || decodeURIComponent(u.searchParams.get('host') ?? 'localhost')}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
};

/**
 * LISTEN on `channel` over its own client (not one of the pool's). When the connection drops, a new
 * one is tried every second until it works, then `onReconnect` runs.
 */
const listenOn = async (
  connectionString: string,
  channel: string,
  onNotify: (payload: string) => void,
  onReconnect: () => void,
): Promise<() => Promise<void>> => {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) onNotify(n.payload);
    });
    c.on('error', () => {
      if (client !== c || stopped) return;
      client = undefined;
      void c.end().catch(() => undefined);
      scheduleRetry();
    });
    await c.connect();
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = c;
  };
  const scheduleRetry = (): void => {
    retry = setTimeout(() => {
      if (stopped) return;
      connect().then(onReconnect, (e: unknown) => {
        console.error(`central: LISTEN ${channel}: reconnecting failed (${errorMessage(e)}); retrying`);
        scheduleRetry();
      });
    }, 1000);
    retry.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
};

/** A real PostgreSQL server through a node-postgres pool (DATABASE_URL). */
export const openPostgres = async (connectionString: string, poolSize = 10): Promise<CentralDb> => {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (e) => console.error(`central: PostgreSQL pool error: ${e.message}`));
  await pool.query('SELECT 1');
  const q = wrap(pool);
  return {
    kind: 'postgres',
    description: describe(connectionString),
    query: q.query,
    exec: q.exec,
    copyIn: q.copyIn,
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
    listen: (channel, onNotify, onReconnect) => listenOn(connectionString, channel, onNotify, onReconnect),
  };
};
