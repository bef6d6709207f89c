/**
 * A loopback proxy between kiosk and central that can lose things on purpose: the answer after
 * central committed, the connection before central saw the request, or a reply of its own.
 */
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ProxyAction =
  | 'pass'
  /** Forward, let central commit and answer, then cut the kiosk's connection: the ack is lost. */
  | 'drop-response'
  /** Cut the connection once the request has arrived, without forwarding it. */
  | 'reset-before'
  /** Hold the request forever (a stalled link), without forwarding it. */
  | 'hang'
  | { status: number; headers?: Record<string, string>; body?: string };

export type TestProxy = {
  url: string;
  /** Decides per request; default: pass everything. */
  decide: (req: { method: string; path: string; bodyBytes: number }) => ProxyAction;
  log: { path: string; action: string; upstreamStatus?: number }[];
  close: () => Promise<void>;
};

export const startProxy = async (target: string): Promise<TestProxy> => {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: TestProxy = { url: '', decide: () => 'pass', log: [], close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const action = proxy.decide({ method: req.method ?? 'GET', path, bodyBytes: body.length });
      const entry: TestProxy['log'][number] = { path, action: typeof action === 'string' ? action : `status ${action.status}` };
      proxy.log.push(entry);
      if (action === 'hang') return;
      if (action === 'reset-before') {
        req.socket.destroy();
        return;
      }
      if (typeof action === 'object') {
        res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
        res.end(action.body ?? '');
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const up = request({ hostname: upstream.hostname, port: upstream.port, path, method: req.method, headers }, (upRes) => {
        const upChunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => upChunks.push(c));
        upRes.on('end', () => {
          entry.upstreamStatus = upRes.statusCode;
          if (action === 'drop-response') {
            req.socket.destroy();
            return;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(upChunks));
        });
      });
      up.on('error', () => req.socket.destroy());
      up.end(body);
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
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return proxy;
};
