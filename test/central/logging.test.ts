// Issue 16: structured JSON logs through Fastify's own logger, with request ids, and never a secret:
// a log of requests carrying a session cookie, an Authorization header, a console password, an
// enrolment code and credentials in the query string is searched for each of them.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loggingOptions, redactUrl } from '../../central/observe/logger.ts';
import { makeDevice, enrolRequest, postJson, startTestCentral, type TestCentral } from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';

const SECRETS = {
  cookie: 'cookie-secret-7f3a9c1e',
  authorization: 'auth-secret-0b6d2e94',
  password: 'password-secret-5c8e1f77',
  enrolment: 'SCRT-ENRL-4411',
  queryToken: 'query-token-secret-93ab',
  queryCode: 'query-code-secret-1c2d',
};

describe('central request log [pglite]', () => {
  let central: TestCentral | undefined;
  const lines: string[] = [];
  const stream = new PassThrough();
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });

  beforeAll(async () => {
    central = await startTestCentral('pglite', { logger: { stream }, trustProxy: true });
  });
  afterAll(async () => central?.close());

  test('every line is JSON with a request id; no secret sent in a request is ever written', async () => {
    if (!central) throw new Error('central not started');
    await makeAccount(central.db, 'tinh-admin');
    const client = new ConsoleClient(central.url, {
      cookie: `kiosk_session=${SECRETS.cookie}`,
      authorization: `Bearer ${SECRETS.authorization}`,
    });
    await client.get('/login');
    await client.login('tinh-admin', SECRETS.password);
    await client.login('tinh-admin');
    const device = makeDevice();
    const refused = await postJson(`${central.url}/v1/enrol`, enrolRequest(device, SECRETS.enrolment), {
      authorization: `Bearer ${SECRETS.authorization}`,
    });
    expect(refused.status).toBe(403);
    await fetch(`${central.url}/v1/health?token=${SECRETS.queryToken}&code=${SECRETS.queryCode}&lang=vi`);

    // A request id from the trusted proxy is kept and echoed; a malformed one is replaced.
    const traced = await fetch(`${central.url}/v1/health`, { headers: { 'x-request-id': 'proxy-req-0123456789' } });
    expect(traced.headers.get('x-request-id')).toBe('proxy-req-0123456789');
    const injected = await fetch(`${central.url}/v1/health`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(injected.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await new Promise((r) => setTimeout(r, 100));
    expect(lines.length).toBeGreaterThan(10);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requestLines = parsed.filter((p) => p['req'] !== undefined || p['res'] !== undefined);
    expect(requestLines.length).toBeGreaterThan(8);
    for (const p of requestLines) expect(typeof p['reqId']).toBe('string');
    expect(parsed.some((p) => p['reqId'] === 'proxy-req-0123456789')).toBe(true);
    // The query line is there, with its credentials replaced.
    expect(lines.some((l) => l.includes('/v1/health?token=%5Bredacted%5D&code=%5Bredacted%5D&lang=vi'))).toBe(true);
    const all = lines.join('\n');
    for (const [what, secret] of Object.entries(SECRETS)) expect(all.includes(secret), what).toBe(false);
  });
});

describe('request ids and URL redaction', () => {
  const genReqId = (trustProxy: boolean) => {
    const gen = loggingOptions(false, trustProxy).genReqId;
    if (!gen) throw new Error('no genReqId');
    return (id: string) => gen({ headers: { 'x-request-id': id } } as never);
  };

  test("a client's X-Request-Id is ignored unless the proxy is trusted", () => {
    expect(genReqId(false)('proxy-req-0123456789')).not.toBe('proxy-req-0123456789');
    expect(genReqId(true)('proxy-req-0123456789')).toBe('proxy-req-0123456789');
    expect(genReqId(true)('x'.repeat(200))).toHaveLength(36);
  });

  test('credential-like query values are redacted, others kept', () => {
    expect(redactUrl('/console/x?password=a&Code=b&page=2&enrolment_code=c')).toBe(
      '/console/x?password=%5Bredacted%5D&Code=%5Bredacted%5D&page=2&enrolment_code=%5Bredacted%5D',
    );
    expect(redactUrl('/v1/health')).toBe('/v1/health');
  });
});
