import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errorMessage } from '../../../shared/error-message.ts';
import {
  INVITATION_STREAM,
  Invitation,
  type InvitationStatusUpdate,
  OpenInvitations,
} from '../../../shared/invitation.ts';
import type { InvitationSink } from '../invitations/sink.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay } from './backoff.ts';
import { classifyError, deviceHeaders } from './client.ts';
import { type SyncClock, type SyncLog, realSyncClock } from './clock.ts';
import { type StreamDevice, createInvitationReporter } from './invitation-stream-report.ts';
import { type SseEvent, sseReader } from './invitation-stream-sse.ts';
import type { DeviceContexts } from './device-context.ts';

export type { StreamDevice };

export type InvitationStreamOptions = {
  /** Read before every connection: an enrolment made or reset meanwhile takes effect at the next one. */
  device: () => StreamDevice | undefined;
  /** `centralOpen`: what central holds open after a catch-up (Invitations.centralOpen); optional for tests' sinks. */
  sink: Pick<InvitationSink, 'receive'> & { centralOpen?: (ids: ReadonlySet<string>) => void };
  /** The statuses to report (the core's invitations) and the acknowledgement of a report. */
  reports: {
    pending: (limit: number) => InvitationStatusUpdate[];
    acknowledged: (updates: readonly InvitationStatusUpdate[]) => void;
  };
  backoff?: Partial<BackoffPolicy>;
  random?: () => number;
  clock?: SyncClock;
  log?: SyncLog;
  /** Nothing at all from central (not even its keep-alive comment) for this long: the link is dead. */
  idleMs?: number;
  /** How often statuses not yet acknowledged are sent again (an answer, an expiry), default 5 s. */
  reportIntervalMs?: number;
  /** While not enrolled, how often to look again (default 30 s). */
  notEnrolledMs?: number;
};

export type InvitationStream = {
  start: () => void;
  stop: () => Promise<void>;
  /** Whether a stream is open now (central answered 200 and the connection stands). */
  readonly connected: boolean;
  /** Sends the statuses central has not acknowledged now; resolves when done (or failed). */
  reportNow: () => Promise<void>;
};

/** How one connection ended: `up` if central accepted it (the next try starts the backoff afresh). */
type Ended = { up: boolean; delayHint?: number; refused?: boolean; message: string };

const MAX_ERROR_BODY = 16 * 1024;

/** What one connection needs from the stream around it. */
type ConnectContext = {
  clock: SyncClock;
  idleMs: number;
  log: SyncLog;
  /** `received`: the invitation ids taken on this connection so far. */
  onEvent: (e: SseEvent, received: Set<string>) => void;
  /** The stream is open (true) or closed (false). */
  onState: (up: boolean) => void;
};

/** A reply other than 200: read (a little of) its body and say how long to wait. */
const refusedReply = (res: IncomingMessage, now: number, end: (e: Omit<Ended, 'up'>) => void) => {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_ERROR_BODY) chunks.push(c);
  });
  res.on('error', () => end({ message: `HTTP ${res.statusCode}` }));
  res.on('end', () => {
    const f = classifyError({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }, now);
    end({ message: f.message, delayHint: f.retryAfterMs, refused: f.kind !== 'transient' });
  });
};

/** One connection, from the request to its end; never rejects. */
const connectOnce = (c: ConnectContext, device: StreamDevice, signal: AbortSignal): Promise<Ended> =>
  new Promise((resolve) => {
    const url = new URL(INVITATION_STREAM.path.replace(/^\//, ''), device.centralUrl);
    const headers = {
      accept: 'text/event-stream',
      'cache-control': 'no-cache',
      ...deviceHeaders(c.clock.now, 'GET', url, Buffer.alloc(0), device.signer),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let up = false;
    let done = false;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const end = (e: Omit<Ended, 'up'>) => {
      if (done) return;
      done = true;
      if (up) c.onState(false);
      if (idle) clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve({ up, ...e });
    };
    const stillAlive = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => end({ message: `nothing from central for ${Math.round(c.idleMs / 1000)} s` }), c.idleMs);
    };
    const onAbort = () => end({ message: 'stopped' });
    const req: ClientRequest = send(url, { method: 'GET', headers, agent: false });
    signal.addEventListener('abort', onAbort, { once: true });
    stillAlive();
    req.on('error', (e) => end({ message: errorMessage(e) }));
    req.on('response', (res: IncomingMessage) => {
      if (res.statusCode !== 200) return refusedReply(res, c.clock.now(), end);
      up = true;
      c.onState(true);
      const received = new Set<string>();
      const read = sseReader((e) => c.onEvent(e, received));
      res.on('data', (chunk: Buffer) => {
        stillAlive();
        if (!read(chunk)) end({ message: 'central sent an event over the size limit; reconnecting' });
      });
      res.on('end', () => end({ message: 'central closed the stream' }));
      res.on('error', (e) => end({ message: errorMessage(e) }));
      res.on('close', () => end({ message: 'the stream closed' }));
    });
    req.end();
  });

/**
 * The kiosk's one outgoing connection for invitations (issue 11): a device-signed GET of central's
 * server-sent-events stream, so a kiosk behind NAT with no inbound port receives them at once. Each
 * `invitation` event goes to the core's sink (source 'central'; an id seen before is not shown again:
 * central re-sends what is still valid on every reconnect); the `open` event after it lets the sink
 * drop what an earlier connection brought and central closed meanwhile. The connection is re-opened with the sync
 * backoff when it fails or is refused, and after a short jittered pause when it ends (central
 * restarting: a fleet does not reconnect in one instant). Statuses are POSTed by the reporter.
 */
export const createInvitationStream = (options: InvitationStreamOptions): InvitationStream => {
  const clock = options.clock ?? realSyncClock;
  const log = options.log ?? (() => {});
  const random = options.random ?? Math.random;
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const idleMs = options.idleMs ?? INVITATION_STREAM.keepAliveSeconds * 2_500;
  const reporter = createInvitationReporter({ device: options.device, reports: options.reports, clock, log });
  let controller: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let reportTimer: ReturnType<typeof setInterval> | undefined;
  let connected = false;

  const onEvent = (e: SseEvent, received: Set<string>): void => {
    if (e.event !== INVITATION_STREAM.event && e.event !== INVITATION_STREAM.openEvent) return;
    let raw: unknown;
    try {
      raw = JSON.parse(e.data);
    } catch {
      log('warn', 'invitation stream: an event that is not JSON was ignored');
      return;
    }
    if (e.event === INVITATION_STREAM.openEvent) {
      const open = OpenInvitations.safeParse(raw);
      if (!open.success) return log('warn', 'invitation stream: an "open" event that does not fit was ignored');
      // What came on this connection is current enough: only what an earlier one brought can be stale.
      options.sink.centralOpen?.(new Set([...open.data.ids, ...received]));
      return;
    }
    const parsed = Invitation.safeParse(raw);
    if (!parsed.success) {
      log('warn', `invitation stream: an invitation that does not fit the contract was ignored`);
      return;
    }
    received.add(parsed.data.id);
    const r = options.sink.receive(parsed.data, 'central');
    if (!r.ok || !r.duplicate) void reporter.flush();
  };

  const connection: ConnectContext = {
    clock,
    idleMs,
    log,
    onEvent,
    onState: (up) => {
      connected = up;
      if (!up) return;
      log('info', 'invitation stream: connected');
      void reporter.flush();
    },
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    let failures = 0;
    while (!signal.aborted) {
      const device = options.device();
      if (!device) {
        await clock.sleep(options.notEnrolledMs ?? 30_000, signal);
        continue;
      }
      const ended = await connectOnce(connection, device, signal);
      if (signal.aborted) return;
      failures = ended.up ? 1 : failures + 1;
      const delay = ended.refused ? policy.capMs : backoffDelay(failures, random, policy, ended.delayHint);
      log(ended.up ? 'info' : 'warn', `invitation stream: ${ended.message}; again in ${Math.round(delay / 1000)} s`);
      await clock.sleep(delay, signal);
    }
  };

  return {
    start: () => {
      if (controller) return;
      controller = new AbortController();
      loop = run(controller.signal);
      reportTimer = setInterval(() => void reporter.flush(), options.reportIntervalMs ?? 5_000);
      reportTimer.unref();
    },
    stop: async () => {
      if (reportTimer) clearInterval(reportTimer);
      reportTimer = undefined;
      controller?.abort();
      await loop;
      await reporter.idle();
      controller = undefined;
      loop = undefined;
      reporter.close();
    },
    get connected() {
      return connected;
    },
    reportNow: () => reporter.flush(),
  };
};

/** The stream's device from the sync engine's own view of the enrolment (key, central URL, sync hold). */
export const streamDeviceFrom =
  (contexts: DeviceContexts): (() => StreamDevice | undefined) =>
  () => {
    const c = contexts.current();
    return c && 'enrolment' in c ? { centralUrl: c.client.baseUrl, signer: c.signer } : undefined;
  };
