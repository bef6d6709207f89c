import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { LanError } from '../../../shared/lan-bridge.ts';
import { errorMessage } from '../../../shared/error-message.ts';
import { addressKey } from '../../../shared/node/address-key.ts';
import { terminalSafe } from '../../../shared/terminal-text.ts';
import { checkHost } from './host-check.ts';
import { bearerToken, sendError, sendText } from './http-io.ts';
import { type LanClient, clientForToken, touchClient } from './pairing.ts';
import {
  FAILED_TOKEN_ADDRESSES_KEPT,
  LAN_RATE_LIMITS,
  failureLimiter,
  keyedBuckets,
  logBudget,
  tokenBucket,
} from './rate-limit.ts';
import { type LanRouteDeps, getInvitation, getProcedures, pair, postInvitation } from './routes.ts';
import { invitationSenders } from './senders.ts';
import { SEND_PAGE_CSS, SEND_PAGE_HTML, SEND_PAGE_JS } from './send-page.ts';

/**
 * The LAN bridge's HTTP server (node:http; never the loopback host server, which must stay
 * unreachable from the network). Every request passes, in order and each before any costlier work:
 * the Host (the address the request arrived on: host-check.ts), the global rate limit, the route, the
 * Origin (a browser page of another site cannot post), the address's budget of bad tokens, the token
 * (a paired, unrevoked client) and that client's own rate limit; only then is a body read.
 * Every refusal is logged with the peer's address and never the token or the code.
 */

/** Only one client's last-seen time is written per minute: a status poll every 2 s must not write every 2 s. */
const TOUCH_EVERY_MS = 60_000;

type Route =
  | { kind: 'static'; type: string; body: string }
  | { kind: 'pair' }
  | { kind: 'invitations' }
  | { kind: 'invitation'; id: string }
  | { kind: 'procedures' };

const STATIC: Record<string, Route> = {
  '/': { kind: 'static', type: 'text/html; charset=utf-8', body: SEND_PAGE_HTML },
  '/send.js': { kind: 'static', type: 'text/javascript; charset=utf-8', body: SEND_PAGE_JS },
  '/send.css': { kind: 'static', type: 'text/css; charset=utf-8', body: SEND_PAGE_CSS },
};

/** The route for a method and path; `undefined` path is unknown (404), a string is the allowed method (405). */
const routeOf = (method: string, path: string): Route | { wrongMethod: string } | undefined => {
  const want = (m: string, r: Route) => (method === m ? r : { wrongMethod: m });
  const s = Object.hasOwn(STATIC, path) ? STATIC[path] : undefined;
  if (s) return method === 'GET' || method === 'HEAD' ? s : { wrongMethod: 'GET' };
  if (path === '/pair') return want('POST', { kind: 'pair' });
  if (path === '/invitations') return want('POST', { kind: 'invitations' });
  if (path === '/procedures') return want('GET', { kind: 'procedures' });
  const m = /^\/invitations\/([^/]{1,64})$/.exec(path);
  if (m) return want('GET', { kind: 'invitation', id: m[1]! });
  return undefined;
};

/** Text from the request made safe for a log line (terminal escapes, bidi tricks shown as \uXXXX), bounded. */
const safe = (s: string) => terminalSafe(s.slice(0, 80));

export const createLanServer = (d: LanRouteDeps): Server => {
  const senders = invitationSenders(d.db);
  const global = tokenBucket(LAN_RATE_LIMITS.global, d.now);
  const perClient = keyedBuckets(LAN_RATE_LIMITS.perClient, d.now);
  const failedTokens = failureLimiter(LAN_RATE_LIMITS.failedToken, d.now, FAILED_TOKEN_ADDRESSES_KEPT);
  const logRefusal = logBudget(30, d.now, (line) => d.log('warn', line));
  const touched = new Map<string, number>();

  /** `detail`: more for the log only (never a token or a code). */
  const refuse = (req: IncomingMessage, res: ServerResponse, error: LanError, detail = ''): void => {
    logRefusal(
      `lan bridge: refused ${safe(req.method ?? '?')} ${safe(req.url ?? '?')} from ${req.socket.remoteAddress ?? '?'}: ${error.error}${detail}`,
    );
    sendError(res, error);
  };

  const authenticate = (req: IncomingMessage, res: ServerResponse): LanClient | undefined => {
    const address = addressKey(req.socket.remoteAddress);
    // An address that sent too many bad tokens is refused before its token is even looked up.
    const blocked = failedTokens.check(address);
    if (!blocked.ok) {
      refuse(req, res, {
        error: 'rate_limited',
        message:
          'too many requests without a valid token from this address: wait, then pair this PC again if it was revoked',
        retryAfterSeconds: blocked.retryAfterSeconds,
      });
      return undefined;
    }
    const token = bearerToken(req);
    const client = token === undefined ? undefined : clientForToken(d.db, token);
    if (!client) {
      failedTokens.fail(address);
      refuse(req, res, {
        error: 'unauthorized',
        message: token === undefined ? 'pair this PC first: no token' : 'this PC is not paired (or was revoked)',
      });
      return undefined;
    }
    const limited = perClient(client.id).take();
    if (!limited.ok) {
      refuse(req, res, {
        error: 'rate_limited',
        message: 'too many requests',
        retryAfterSeconds: limited.retryAfterSeconds,
      });
      return undefined;
    }
    const t = d.now();
    if (t - (touched.get(client.id) ?? 0) >= TOUCH_EVERY_MS) {
      touched.set(client.id, t);
      touchClient(d.db, client.id, t);
    }
    return client;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // First of all, so that a page rebound onto the kiosk's address cannot even spend the global budget.
    const host = checkHost(req);
    if (!host.ok)
      return refuse(
        req,
        res,
        {
          error: 'wrong_host',
          message: `this kiosk answers only at its own address${host.expected ? ` (http://${host.expected}/)` : ''}: open the address its admin panel shows`,
        },
        ` (Host ${safe(req.headers.host ?? 'none')})`,
      );
    const limited = global.take();
    if (!limited.ok)
      return refuse(req, res, {
        error: 'rate_limited',
        message: 'the kiosk is busy; try again shortly',
        retryAfterSeconds: limited.retryAfterSeconds,
      });
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routeOf(req.method ?? 'GET', path);
    if (!route) return refuse(req, res, { error: 'not_found', message: 'no such page' });
    if ('wrongMethod' in route) {
      res.setHeader('allow', route.wrongMethod);
      return refuse(req, res, { error: 'method_not_allowed', message: `use ${route.wrongMethod}` });
    }
    if (route.kind === 'static') return sendText(res, route.type, route.body);
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`)
      return refuse(req, res, { error: 'forbidden_origin', message: 'requests from another site are refused' });
    if (route.kind === 'pair') return pair(d, req, res, logRefusal);
    const client = authenticate(req, res);
    if (!client) return;
    if (route.kind === 'invitations') return postInvitation(d, senders, client, req, res);
    if (route.kind === 'invitation') return getInvitation(d, senders, client, route.id, res, logRefusal);
    return getProcedures(d, res);
  };

  const server = createServer(
    { requestTimeout: 10_000, headersTimeout: 5_000, maxHeaderSize: 8 * 1024 },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        d.log('error', `lan bridge: ${safe(req.method ?? '?')} ${safe(req.url ?? '?')} failed: ${errorMessage(e)}`);
        if (!res.headersSent)
          sendError(res, { error: 'kiosk_unavailable', message: 'the kiosk could not answer; try again' });
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  server.maxConnections = 64;
  return server;
};
