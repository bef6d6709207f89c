/**
 * `npm run central [-- --data-dir DIR --port N --host H]`: the central survey service on embedded
 * defaults (PGlite on disk in .data/central, 127.0.0.1:4790). DATABASE_URL switches to PostgreSQL.
 */
import { sha256Hex } from '../shared/node/signing.ts';
import { parseArgs } from 'node:util';
import { type InitialAdmin, ensureInitialAdmin } from './console/initial-admin.ts';
import { StaleHours } from './console/options.ts';
import { DataDirBusyError, DataDirUnsafeError, restrictUmask } from './data-dir.ts';
import { DemoCredentialsError, isLoopbackHost, refuseDemoCredentials } from './demo-credentials.ts';
import { CentralSchemaTooNewError } from './db/migrate.ts';
import { CentralKeyMismatchError } from './key-identity.ts';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from './routes/rate-limit.ts';
import { DEFAULT_PORT, startCentral } from './start.ts';
import { defaultIngestWorkers } from './ingest/worker-pool.ts';
import type { MetricsListen } from './observe/metrics-server.ts';

const HELP = `usage: npm run central -- [--data-dir DIR] [--port N] [--host ADDR] [--rate-ip N] [--rate-device N] [--base-path P] [--stale-hours H] [--heartbeat-window-minutes M] [--ingest-workers N] [--key-file F] [--trust-proxy] [--log] [--metrics-port N] [--metrics-host ADDR]

  --data-dir DIR    PGlite database, central key and lock (default .data/central)
  --key-file F      the central key here instead of DIR/central-key.json (also CENTRAL_KEY_FILE): with several
                    instances on one PostgreSQL, every instance uses the same key file (made once if missing)
  --port N          default ${DEFAULT_PORT}
  --host ADDR       default 127.0.0.1 (loopback only); 0.0.0.0 to serve the network
  --rate-ip N       requests per minute per client address (default ${DEFAULT_RATE_LIMITS.perIp ? DEFAULT_RATE_LIMITS.perIp.max : 'off'}; 0 = off)
  --rate-device N   requests per minute per device (default ${DEFAULT_RATE_LIMITS.perDevice ? DEFAULT_RATE_LIMITS.perDevice.max : 'off'}; 0 = off)
  --base-path P     serve the protocol under P (e.g. /khaosat), for a reverse proxy passing paths through
  --trust-proxy     behind a reverse proxy: honour X-Forwarded-For/-Proto (console cookies become Secure over https)
  --console-hosts N,N  more host names the web console answers to (also CENTRAL_CONSOLE_HOSTS); it always
                    answers to 127.0.0.1, localhost, [::1] and --host; any other name gets 421 (DNS rebinding)
  --stale-hours H   the console marks a device out of contact after H hours without a heartbeat (default 2)
  --heartbeat-window-minutes M
                    refuse a heartbeat sent more than M minutes from this server's clock, as a replay (default 10)
  --ingest-workers N  worker threads that open batches off the event loop (default ${defaultIngestWorkers()}: the cores, at most 2)
  --log             request log on stdout: one JSON object a line, with request ids (behind --trust-proxy the
                    proxy's X-Request-Id), cookies, Authorization, passwords and enrolment codes never written
  --metrics-port N  Prometheus metrics at http://ADDR:N/metrics, a listener of its own (not the public port)
  --metrics-host ADDR  its address (default 127.0.0.1); another address needs CENTRAL_METRICS_TOKEN
Environment: DATABASE_URL=postgres://… uses PostgreSQL instead of PGlite; CENTRAL_CONSOLE_HOSTS=a,b as --console-hosts;
  CENTRAL_METRICS_TOKEN=… (16+ characters) makes a scrape send "Authorization: Bearer …"; LOG_LEVEL (default info);
  CENTRAL_KEY_FILE=F as --key-file.
`;

const perMinute = (v: string | undefined, fallback: RateLimitSettings['perIp']): RateLimitSettings['perIp'] => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a whole number of requests per minute, got "${v}"`);
  return n === 0 ? false : { max: n, windowMs: 60_000 };
};

/** --metrics-port/--metrics-host/CENTRAL_METRICS_TOKEN; a non-loopback address without a token is refused. */
const metricsListen = (port: string | undefined, host: string | undefined): MetricsListen | undefined => {
  if (port === undefined) {
    if (host !== undefined) throw new Error('--metrics-host needs --metrics-port');
    return undefined;
  }
  const n = Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--metrics-port: not a port number: ${port}`);
  const token = process.env['CENTRAL_METRICS_TOKEN'] || undefined;
  const address = host ?? '127.0.0.1';
  if (!isLoopbackHost(address) && token === undefined)
    throw new Error(
      `--metrics-host ${address} is not loopback: set CENTRAL_METRICS_TOKEN so only your Prometheus can read the metrics`,
    );
  return { host: address, port: n, ...(token ? { token } : {}) };
};

const main = async (): Promise<number> => {
  restrictUmask();
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'rate-ip': { type: 'string' },
      'rate-device': { type: 'string' },
      log: { type: 'boolean' },
      'base-path': { type: 'string' },
      'stale-hours': { type: 'string' },
      'heartbeat-window-minutes': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'ingest-workers': { type: 'string' },
      'console-hosts': { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      'key-file': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port number: ${values.port}`);
  const workers = values['ingest-workers'] === undefined ? undefined : Number(values['ingest-workers']);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64))
    throw new Error(`--ingest-workers: expected a whole number from 1 to 64, got "${values['ingest-workers']}"`);
  const stale = values['stale-hours'] === undefined ? undefined : StaleHours.safeParse(values['stale-hours']);
  if (stale && !stale.success)
    throw new Error(`--stale-hours: expected a number of hours between 0 and 720, got "${values['stale-hours']}"`);
  const windowArg = values['heartbeat-window-minutes'];
  const windowMinutes = windowArg === undefined ? undefined : Number(windowArg);
  if (
    windowMinutes !== undefined &&
    !(Number.isFinite(windowMinutes) && windowMinutes >= 1 && windowMinutes <= 24 * 60)
  )
    throw new Error(`--heartbeat-window-minutes: expected a number of minutes between 1 and 1440, got "${windowArg}"`);
  const metrics = metricsListen(values['metrics-port'], values['metrics-host']);
  const databaseUrl = process.env['DATABASE_URL'] || undefined;
  const host = values.host ?? '127.0.0.1';
  const first: { admin: InitialAdmin | null } = { admin: null };
  const central = await startCentral({
    dataDir: values['data-dir'],
    keyFile: values['key-file'] ?? (process.env['CENTRAL_KEY_FILE'] || undefined),
    databaseUrl,
    host,
    port,
    logger: values.log ? { level: process.env['LOG_LEVEL'] || 'info' } : false,
    ...(metrics ? { metrics } : {}),
    basePath: values['base-path'],
    trustProxy: values['trust-proxy'] ?? false,
    rateLimit: {
      perIp: perMinute(values['rate-ip'], DEFAULT_RATE_LIMITS.perIp),
      perDevice: perMinute(values['rate-device'], DEFAULT_RATE_LIMITS.perDevice),
    },
    console: stale?.success ? { staleAfterHours: stale.data } : {},
    heartbeatWindowMs: windowMinutes === undefined ? undefined : windowMinutes * 60_000,
    beforeListen: async (db) => {
      // The documented demo password only for the embedded demo on loopback; a real service refuses it.
      first.admin = await ensureInitialAdmin(db, { demo: !databaseUrl && isLoopbackHost(host) });
      await refuseDemoCredentials(db, { postgres: databaseUrl !== undefined, host });
    },
    ...(workers !== undefined ? { ingest: { workers } } : {}),
    consoleHosts: (values['console-hosts'] ?? process.env['CENTRAL_CONSOLE_HOSTS'] ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  });
  const admin = first.admin;
  process.stdout.write(
    `central survey service listening on ${central.url}\n` +
      `  database: ${central.db.description}\n` +
      `  central public key: ${central.centralKey.publicKey}\n` +
      // What IT pins on a kiosk before enrolling it (kioskctl config set centralKeyFingerprint …).
      `  central key fingerprint (SHA-256): ${sha256Hex(Buffer.from(central.centralKey.publicKey, 'base64url'))}\n` +
      `  web console: ${central.url}/console/\n` +
      `  health: ${new URL(central.url).origin}/health/ready\n` +
      (central.metricsUrl ? `  metrics: ${central.metricsUrl}\n` : '') +
      // No code at start: a printed code is a live credential in every log that keeps stdout.
      `  enrol a kiosk: issue a one-time code (npx centralctl enrol-code [--unit U], or the console's enrolment codes page),\n` +
      `    then on the kiosk: kioskctl enroll --central ${central.url} --code CODE\n` +
      (admin
        ? `  first console account: ${admin.username} / ${admin.password}  (${admin.demo ? 'the documented demo password' : 'shown only now'}; change it after logging in)\n`
        : ''),
  );
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string): void => {
      process.stdout.write(`central: ${signal}, closing\n`);
      resolveStop();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await central.close();
  return 0;
};

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (
      e instanceof DataDirBusyError ||
      e instanceof DataDirUnsafeError ||
      e instanceof DemoCredentialsError ||
      e instanceof CentralSchemaTooNewError ||
      e instanceof CentralKeyMismatchError
    )
      process.stderr.write(`central: ${e.message}\n`);
    else process.stderr.write(`central: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
