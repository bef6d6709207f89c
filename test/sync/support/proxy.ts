/**
 * A loopback proxy between kiosk and central that can lose things on purpose: the answer after
 * central committed, the connection before central saw the request, or a reply of its own.
 *
 * Besides the simple actions (strings and `{ status }`), the fault-injection suite (test/fault/) uses
 * the `kind` actions: a connection cut after part of the body went upstream, 5xx after the commit, a
 * stall after the commit, an answer cut off part-way, and bytes trickled in either direction.
 */
import { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultAction =
  /** Send the headers and the first `forwardBytes` of the body upstream, then cut both connections. */
  | { kind: 'reset-mid-request'; forwardBytes: number }
  /** Forward, let central commit and answer, then answer the kiosk `status` instead (a gateway failing late). */
  | { kind: 'status-after'; status: number; headers?: Record<string, string> }
  /** Forward, let central commit and answer, then hold the kiosk's connection forever. */
  | { kind: 'stall-response' }
  /** Forward; pass on the status, headers and the first `afterBytes` of central's answer, then cut. */
  | { kind: 'cut-response'; afterBytes: number }
  /** Forward with the body (request) or the answer (response) in `chunks` pieces, `intervalMs` apart. */
  | { kind: 'trickle'; direction: 'request' | 'response'; chunks: number; intervalMs: number }
  /** Forward, let central commit and answer, call `before` (e.g. SIGKILL the kiosk), then cut the connection. */
  | { kind: 'drop-after'; before: () => void };

export type ProxyAction =
  | 'pass'
  /** Forward, let central commit and answer, then cut the kiosk's connection: the ack is lost. */
  | 'drop-response'
  /** Cut the connection once the request has arrived, without forwarding it. */
  | 'reset-before'
  /** Hold the request forever (a stalled link), without forwarding it. */
  | 'hang'
  /** Forward and pass central's answer on as it comes, never buffered (a server-sent-events stream). */
  | 'stream'
  | { status: number; headers?: Record<string, string>; body?: string }
  | FaultAction;

export type TestProxy = {
  url: string;
  /** Decides per request; default: pass everything. */
  decide: (req: { method: string; path: string; bodyBytes: number }) => ProxyAction;
  /** `upstream`: the index of the target the request went to (several targets: test/fault/instances.test.ts). */
  log: { path: string; action: string; upstreamStatus?: number; upstream?: number }[];
  /** The network drops: every open connection (kiosk side and central side) is cut at once. */
  dropConnections: () => void;
  /**
   * The link goes silent without a reset (packets dropped, as a dead mobile link or a NAT that forgot
   * the mapping): open streams carry nothing further and new requests get no answer, until `heal`.
   * As TCP would, nothing is lost meanwhile, only held: on `heal` what a stream's server wrote is
   * passed on and the held requests go upstream, for whichever client is still connected.
   */
  blackhole: () => void;
  heal: () => void;
  close: () => Promise<void>;
};

const describeAction = (action: ProxyAction): string => {
  if (typeof action === 'string') return action;
  if (!('kind' in action)) return `status ${action.status}`;
  switch (action.kind) {
    case 'reset-mid-request':
      return `reset-mid-request ${action.forwardBytes}`;
    case 'status-after':
      return `status-after ${action.status}`;
    case 'cut-response':
      return `cut-response ${action.afterBytes}`;
    case 'trickle':
      return `trickle-${action.direction} ${action.chunks}x${action.intervalMs}ms`;
    default:
      return action.kind;
  }
};

/** `body` in `n` nearly equal pieces (at least one byte each). */
const pieces = (body: Buffer, n: number): Buffer[] => {
  const size = Math.max(1, Math.ceil(body.length / Math.max(1, n)));
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) out.push(body.subarray(at, at + size));
  return out;
};

export type ProxyOptions = {
  /** Headers added to every forwarded request (e.g. an X-Forwarded-For naming this kiosk's address). */
  headers?: Record<string, string>;
};

/**
 * One target, or several (instances of central behind a load balancer): each path then goes to the
 * targets in turn, on its own, so that consecutive batches of one device alternate between them
 * whatever heartbeats and config pulls come in between.
 */
export const startProxy = async (
  target: string | readonly string[],
  options: ProxyOptions = {},
): Promise<TestProxy> => {
  const targets = (typeof target === 'string' ? [target] : target).map((t) => new URL(t));
  if (targets.length === 0) throw new Error('startProxy: no target');
  const turns = new Map<string, number>();
  const nextTarget = (path: string): number => {
    const key = path.replace(/\?.*$/, '');
    const turn = turns.get(key) ?? 0;
    turns.set(key, turn + 1);
    return turn % targets.length;
  };
  const sockets = new Set<Socket>();
  /** While blackholed: what waits for `heal` (held requests, streams' held bytes). */
  let silent = false;
  const held: (() => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const upstreams = new Set<ReturnType<typeof request>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const proxy: TestProxy = {
    url: '',
    decide: () => 'pass',
    log: [],
    dropConnections: () => {
      for (const u of upstreams) u.destroy();
      for (const s of sockets) s.destroy();
    },
    blackhole: () => {
      silent = true;
    },
    heal: () => {
      silent = false;
      for (const resume of held.splice(0)) resume();
    },
    close: async () => {},
  };

  /** Sends `chunks` one by one, `intervalMs` apart, then `done`; stops if `alive` turns false. */
  const drip = (
    chunks: Buffer[],
    intervalMs: number,
    write: (c: Buffer) => void,
    done: () => void,
    alive: () => boolean,
  ) => {
    let i = 0;
    const step = () => {
      if (!alive()) return;
      if (i >= chunks.length) return done();
      write(chunks[i++]!);
      later(intervalMs, step);
    };
    step();
  };

  /** One request, its body read: what `decide` says, done. */
  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const path = req.url ?? '/';
    const action = proxy.decide({ method: req.method ?? 'GET', path, bodyBytes: body.length });
    const entry: TestProxy['log'][number] = { path, action: describeAction(action) };
    proxy.log.push(entry);
    const clientAlive = () => !req.socket.destroyed;
    if (action === 'hang') return;
    if (action === 'reset-before') {
      req.socket.destroy();
      return;
    }
    if (typeof action === 'object' && !('kind' in action)) {
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(action.body ?? '');
      return;
    }
    const fault = typeof action === 'object' ? action : undefined;
    entry.upstream = nextTarget(path);
    const upstream = targets[entry.upstream]!;
    const headers = { ...req.headers, ...options.headers, host: upstream.host };
    if (action === 'stream') {
      const piped = request(
        { hostname: upstream.hostname, port: upstream.port, path, method: req.method, headers },
        (upRes) => {
          entry.upstreamStatus = upRes.statusCode;
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.flushHeaders();
          // Passed on as it comes, except while blackholed: then held, in order, until healed.
          let backlog: Buffer[] | undefined;
          upRes.on('data', (c: Buffer) => {
            if (backlog) return void backlog.push(c);
            if (!silent) return void res.write(c);
            backlog = [c];
            held.push(() => {
              const out = backlog ?? [];
              backlog = undefined;
              if (!req.socket.destroyed) for (const b of out) res.write(b);
            });
          });
          upRes.on('error', () => req.socket.destroy());
          // Central ending the stream reaches the kiosk after what it wrote before (later, if blackholed).
          upRes.on('close', () => {
            const cut = () => req.socket.destroy();
            if (silent || backlog) held.push(cut);
            else cut();
          });
        },
      );
      piped.on('error', () => req.socket.destroy());
      req.socket.on('close', () => piped.destroy());
      upstreams.add(piped);
      piped.on('close', () => upstreams.delete(piped));
      piped.end(body);
      return;
    }
    const up = request(
      { hostname: upstream.hostname, port: upstream.port, path, method: req.method, headers },
      (upRes) => {
        const upChunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => upChunks.push(c));
        upRes.on('end', () => {
          entry.upstreamStatus = upRes.statusCode;
          const answer = Buffer.concat(upChunks);
          if (action === 'drop-response') {
            req.socket.destroy();
            return;
          }
          if (!fault) {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            res.end(answer);
            return;
          }
          if (!clientAlive()) return;
          switch (fault.kind) {
            case 'status-after':
              res.writeHead(fault.status, { 'content-type': 'text/html', ...fault.headers });
              res.end(`<html><body><h1>${fault.status}</h1>proxy error</body></html>`);
              return;
            case 'stall-response':
              return;
            case 'drop-after':
              fault.before();
              req.socket.destroy();
              return;
            case 'cut-response': {
              const out: OutgoingHttpHeaders = { ...upRes.headers };
              res.writeHead(upRes.statusCode ?? 502, out);
              res.write(answer.subarray(0, Math.min(fault.afterBytes, Math.max(0, answer.length - 1))), () =>
                later(5, () => req.socket.destroy()),
              );
              return;
            }
            case 'trickle':
              if (fault.direction === 'request') {
                res.writeHead(upRes.statusCode ?? 502, upRes.headers);
                res.end(answer);
                return;
              }
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              res.flushHeaders();
              drip(
                pieces(answer, fault.chunks),
                fault.intervalMs,
                (c) => res.write(c),
                () => res.end(),
                clientAlive,
              );
              return;
            default:
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              res.end(answer);
          }
        });
        upRes.on('error', () => req.socket.destroy());
      },
    );
    up.on('error', () => req.socket.destroy());
    upstreams.add(up);
    up.on('close', () => upstreams.delete(up));
    if (fault?.kind === 'reset-mid-request') {
      // Central sees a request whose body stops part-way, then a reset; the kiosk sees a reset.
      const part = body.subarray(0, Math.min(fault.forwardBytes, Math.max(0, body.length - 1)));
      up.flushHeaders();
      up.write(part, () =>
        later(10, () => {
          up.destroy();
          req.socket.destroy();
        }),
      );
      return;
    }
    if (fault?.kind === 'trickle' && fault.direction === 'request') {
      up.flushHeaders();
      drip(
        pieces(body, fault.chunks),
        fault.intervalMs,
        (c) => up.write(c),
        () => up.end(),
        () => !up.destroyed,
      );
      return;
    }
    up.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (silent) held.push(() => !req.socket.destroyed && handle(req, res, body));
      else handle(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((r) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const u of upstreams) u.destroy();
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return proxy;
};
