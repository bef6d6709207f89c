import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runCommand } from '../cli/commands.ts';
import { CtlRequest } from '../cli/remote.ts';
import { SyncError, parseJsonBody, parseOrThrow } from '../errors.ts';
import { type RouteContext, rawBody } from './context.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const checkCaller = (req: FastifyRequest, token: string): void => {
  // The socket's own address, never X-Forwarded-For: only a process on this machine may call.
  const remote = req.raw.socket.remoteAddress ?? '';
  const auth = req.headers.authorization ?? '';
  if (!LOOPBACK.has(remote) || !auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), token)) {
    throw new SyncError('bad_signature', "admin endpoint: loopback callers with the data dir's admin token only");
  }
};

/**
 * POST /admin/v1/ctl: runs a centralctl command inside this process, for centralctl on the same
 * machine while this server holds the PGlite data dir. Output is buffered (use --out for big exports).
 */
export const adminRoutes =
  (ctx: RouteContext, token: string, dataDir?: string) =>
  async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post('/ctl', async (req) => {
      checkCaller(req, token);
      const { args, cwd } = parseOrThrow(CtlRequest, parseJsonBody(rawBody(req)), 'centralctl request');
      let stdout = '';
      let stderr = '';
      const exitCode = await runCommand(args, {
        db: ctx.db,
        centralKey: () => ctx.centralKey,
        cwd,
        dataDir,
        inServer: true,
        out: (t) => (stdout += t),
        err: (t) => (stderr += t),
        now: ctx.now,
      });
      return { exitCode, stdout, stderr };
    });
  };
