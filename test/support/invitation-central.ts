// A small stand-in for central's side of the counter bridge (issue 11), following the contract in
// shared/invitation.ts and docs/sync-protocol.md: a device-signed server-sent-events stream that first
// re-sends every invitation still waiting or delivered and not expired, then new ones as issued (never
// after they expire), a comment line as keep-alive, and the device-signed status report endpoint.
import type { KeyObject } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { sha256Hex, verifyBytes } from '../../shared/node/signing.ts';
import {
  INVITATION_STREAM,
  type Invitation,
  type InvitationStatus,
  InvitationStatusReport,
  type InvitationStatusUpdate,
} from '../../shared/invitation.ts';
import { DEVICE_HEADERS, requestSigningString } from '../../shared/sync.ts';

export type InvitationCentral = {
  url: string;
  /** Stores it (waiting), marks earlier ones for its counter replaced, and pushes it to open streams. */
  issue: (invitation: Invitation) => void;
  statusOf: (id: string) => InvitationStatus | undefined;
  /** Every status update the kiosk reported, in order of arrival. */
  readonly updates: InvitationStatusUpdate[];
  /** How many streams were opened (accepted) so far. */
  readonly streamsOpened: number;
  readonly openStreams: number;
  /** Status reports answer this until set back to null (a central in trouble). */
  failStatusWith: number | null;
  /** Open streams get nothing, not even the keep-alive, while set (a link stalled somewhere). */
  muted: boolean;
  /** Stops listening and cuts every connection; `restart` listens again on the same port, state kept. */
  stop: () => Promise<void>;
  restart: () => Promise<void>;
};

type Stored = { invitation: Invitation; status: InvitationStatus };

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const signedBy = (req: IncomingMessage, body: Buffer, device: { id: string; key: KeyObject }): boolean => {
  const h = (name: string) => req.headers[name] as string | undefined;
  const timestamp = h(DEVICE_HEADERS.timestamp);
  const signature = h(DEVICE_HEADERS.signature);
  if (h(DEVICE_HEADERS.device) !== device.id || !timestamp || !signature) return false;
  const path = (req.url ?? '/').replace(/\?.*$/, '');
  const toSign = requestSigningString(req.method ?? 'GET', path, timestamp, sha256Hex(body));
  return verifyBytes(Buffer.from(toSign, 'utf8'), signature, device.key);
};

const FINAL: readonly InvitationStatus[] = ['answered'];

export const startInvitationCentral = async (options: {
  device: { id: string; key: KeyObject };
  keepAliveMs?: number;
}): Promise<InvitationCentral> => {
  const stored = new Map<string, Stored>();
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const updates: InvitationStatusUpdate[] = [];
  let opened = 0;
  let port = 0;
  const valid = (s: Stored) =>
    (s.status === 'waiting' || s.status === 'delivered') && Date.parse(s.invitation.expiresAt) > Date.now();
  const push = (res: ServerResponse, inv: Invitation) =>
    res.write(`event: ${INVITATION_STREAM.event}\ndata: ${JSON.stringify(inv)}\n\n`);

  const stream = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': connected\n\n');
    opened++;
    for (const s of stored.values()) if (valid(s)) push(res, s.invitation);
    streams.add(res);
    const keepAlive = setInterval(() => {
      if (!central.muted) res.write(': keep-alive\n\n');
    }, options.keepAliveMs ?? 25_000);
    // The response's close: the connection went (the request's own close fires once its body is read).
    res.on('close', () => {
      clearInterval(keepAlive);
      streams.delete(res);
    });
  };

  const status = (res: ServerResponse, body: Buffer) => {
    if (central.failStatusWith !== null) {
      res.writeHead(central.failStatusWith, { 'content-type': 'application/json' }).end('{"error":"server_error"}');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      raw = undefined;
    }
    const parsed = InvitationStatusReport.safeParse(raw);
    if (!parsed.success) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_body"}');
      return;
    }
    for (const u of parsed.data.updates) {
      updates.push(u);
      const s = stored.get(u.invitationId);
      // Idempotent; answered is final, and nothing after it overwrites it.
      if (s && !FINAL.includes(s.status)) s.status = u.status;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (!signedBy(req, body, options.device)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad_signature"}');
        return;
      }
      if (req.method === 'GET' && req.url === INVITATION_STREAM.path) return stream(res);
      if (req.method === 'POST' && req.url === INVITATION_STREAM.statusPath) return status(res, body);
      res.writeHead(404).end();
    })();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = () =>
    new Promise<void>((resolve) =>
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  await listen();

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      streams.clear();
      server.close(() => resolve());
    });

  const central: InvitationCentral = {
    url: `http://127.0.0.1:${port}/`,
    issue: (invitation) => {
      for (const s of stored.values())
        if (s.invitation.counterId === invitation.counterId && (s.status === 'waiting' || s.status === 'delivered'))
          s.status = 'replaced';
      stored.set(invitation.id, { invitation, status: 'waiting' });
      if (!central.muted) for (const res of streams) push(res, invitation);
    },
    statusOf: (id) => stored.get(id)?.status,
    updates,
    get streamsOpened() {
      return opened;
    },
    get openStreams() {
      return streams.size;
    },
    failStatusWith: null,
    muted: false,
    stop,
    restart: async () => {
      await stop();
      await listen();
    },
  };
  return central;
};
