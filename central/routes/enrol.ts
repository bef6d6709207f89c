import type { FastifyInstance } from 'fastify';
import { EnrolRequest } from '../../shared/sync.ts';
import { checkProtocol, parseJsonBody, parseOrThrow } from '../errors.ts';
import { enrolDevice } from '../ops/enrol.ts';
import { type RouteContext, rawBody } from './context.ts';

/** POST /v1/enrol: 201 enrolled, 200 a retry of the same enrolment, 403/409/400 as documented. */
export const enrolRoute = (app: FastifyInstance, ctx: RouteContext): void => {
  app.post('/enrol', async (req, reply) => {
    const value = parseJsonBody(rawBody(req));
    checkProtocol(value);
    const body = parseOrThrow(EnrolRequest, value, 'enrolment request');
    const outcome = await enrolDevice(ctx.db, body, ctx.centralKey.publicKey, ctx.now());
    return reply.code(outcome.status).send(outcome.body);
  });
};
