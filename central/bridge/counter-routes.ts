import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SyncError, parseJsonBody, parseOrThrow } from '../errors.ts';
import type { Budget } from '../routes/rate-limit.ts';
import { type RouteContext, rawBody } from '../routes/context.ts';
import { CounterInvitationRequest, issueInvitation } from './issue.ts';
import { type VerifiedKey, touchIntegrationKey, unitInScope, verifyIntegrationKey } from './keys.ts';
import { findInvitation } from './store.ts';

/** An invitation is small: a case number, codes and a few facts. */
export const COUNTER_BODY_LIMIT = 16 * 1024;

/** Per integration key, across every instance: a one-stop system's busiest hour is far below this. */
export const DEFAULT_PER_KEY_BUDGET: Budget = { max: 600, windowMs: 60_000 };

const outOfScope = (unitId: string): SyncError =>
  new SyncError('unit_out_of_scope', `this integration key may not send invitations for unit ${unitId}`, {
    field: 'unitId',
  });

/**
 * The counter API for one-stop systems (docs/counter-api.yaml), under /v1/counter. Refusals come in
 * cost order, before any work they would waste: the key (one indexed hash lookup) and its rate limit
 * in onRequest, before the body is even read; the body's size (16 KB, by Fastify while reading); its
 * shape (400 naming the field); the key's scope (403); then the procedure and counter (422).
 */
export const counterRoutes = (app: FastifyInstance, ctx: RouteContext, perKey: Budget | false): void => {
  const keyOf = new WeakMap<FastifyRequest, VerifiedKey>();
  const limit = perKey ? ctx.limiter('counter-key', perKey, (req) => `key:${keyOf.get(req)?.id ?? '?'}`) : null;
  const authenticate = async (req: FastifyRequest): Promise<void> => {
    const key = await verifyIntegrationKey(ctx.db, req.headers.authorization);
    keyOf.set(req, key);
    const verdict = await limit?.(req);
    if (verdict?.exceeded)
      throw new SyncError(
        'rate_limited',
        `too many invitations with this integration key; retry after ${verdict.retryAfterSeconds} s`,
        { retryAfterSeconds: verdict.retryAfterSeconds },
      );
  };
  const keyFor = (req: FastifyRequest): VerifiedKey => {
    const key = keyOf.get(req);
    if (!key) throw new Error('counter API: no verified key on the request');
    return key;
  };

  app.post('/counter/invitations', { onRequest: authenticate, bodyLimit: COUNTER_BODY_LIMIT }, async (req, reply) => {
    const key = keyFor(req);
    const request = parseOrThrow(CounterInvitationRequest, parseJsonBody(rawBody(req)), 'invitation');
    if (!(await unitInScope(ctx.db, request.unitId, key.unitIds))) throw outOfScope(request.unitId);
    const now = ctx.now();
    const invitation = await issueInvitation(ctx.db, { request, issuedBy: `key:${key.id}`, now });
    await touchIntegrationKey(ctx.db, key.id, now);
    return reply.code(201).send({ invitation, status: 'waiting' });
  });

  app.get<{ Params: { id: string } }>('/counter/invitations/:id', { onRequest: authenticate }, async (req, reply) => {
    const key = keyFor(req);
    const found = await findInvitation(ctx.db, req.params.id, ctx.now());
    // Another unit's invitation is as unknown as a missing one: ids are not a way to probe.
    if (!found || !(await unitInScope(ctx.db, found.unitId, key.unitIds)))
      throw new SyncError('not_found', `no invitation ${req.params.id} for the units of this key`, { field: 'id' });
    const { invitation, status, statusAt, responseId, reason } = found;
    return reply.code(200).send({
      invitation,
      unitId: found.unitId,
      status,
      statusAt,
      ...(responseId ? { responseId } : {}),
      ...(reason ? { reason } : {}),
    });
  });
};
