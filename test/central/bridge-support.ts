import { type IncomingMessage, request } from 'node:http';
import { expect } from 'vitest';
import type { RunningCentral } from '../../central/index.ts';
import { setDeviceCounter } from '../../central/bridge/device-counter.ts';
import { createIntegrationKey } from '../../central/bridge/keys.ts';
import { ensureUnit, publishConfig } from '../../central/index.ts';
import { INVITATION_STREAM, Invitation } from '../../shared/invitation.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { type FakeDevice, deviceHeaders, enrolled, postJson } from '../support/central.ts';

/** Test helpers for the counter bridge (issue 11): keys, placed kiosks, and a small SSE reader. */

const embedded = () => {
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error('the embedded configuration does not load');
  return loaded.config;
};

/** A procedure of the embedded catalog (published to every unit these tests make). */
export const PROCEDURE = (): string => embedded().bundle.catalog.procedures[0]!.code;

export const newKey = async (central: RunningCentral, unitIds: string[]): Promise<{ id: string; secret: string }> => {
  const { key, secret } = await createIntegrationKey(central.db, {
    label: 'one-stop system',
    unitIds,
    createdBy: 'test',
    now: new Date(),
  });
  return { id: key.id, secret };
};

/** A unit (under `parent`, if given) with the embedded configuration published to it. */
export const unitWithConfig = async (central: RunningCentral, id: string, parentId: string | null = null) => {
  await ensureUnit(central.db, { id, name: id, parentId });
  await publishConfig(central.db, { unitId: id, config: embedded(), centralKey: central.centralKey });
};

/** An enrolled kiosk of `unitId` placed at `counterId`. */
export const placedKiosk = async (central: RunningCentral, unitId: string, counterId: string): Promise<FakeDevice> => {
  const device = await enrolled(central, undefined, unitId);
  expect(await setDeviceCounter(central.db, device.id, counterId)).toBe('placed');
  return device;
};

export const postInvitation = (central: { url: string }, secret: string | undefined, body: unknown) =>
  postJson(
    `${central.url}/v1/counter/invitations`,
    body,
    secret === undefined ? {} : { authorization: `Bearer ${secret}` },
  );

export const bridgeCount = async (central: RunningCentral): Promise<number> =>
  Number((await central.db.query('SELECT count(*) AS n FROM bridge_invitations')).rows[0]!['n']);

/** An open invitation stream as a kiosk holds it: the invitations received so far, and a way to wait for more. */
export type TestStream = {
  status: number;
  received: Invitation[];
  /** Resolves once `n` invitations in all have arrived (rejects after `ms`). */
  waitFor: (n: number, ms?: number) => Promise<Invitation[]>;
  /** Raw text seen (keep-alive comments included). */
  text: () => string;
  close: () => void;
};

export const openStream = async (central: { url: string }, device: FakeDevice): Promise<TestStream> => {
  // node:http rather than fetch: close() must really close the socket, as a kiosk going away does
  // (an aborted fetch can leave its connection to the server half-open).
  const received: Invitation[] = [];
  let all = '';
  let waiters: (() => void)[] = [];
  const req = request(`${central.url}${INVITATION_STREAM.path}`, {
    headers: { ...deviceHeaders(device, 'GET', INVITATION_STREAM.path), connection: 'close' },
    agent: false,
  });
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
  req.on('error', () => undefined);
  res.setEncoding('utf8');
  let buffer = '';
  res.on('data', (chunk: string) => {
    all += chunk;
    buffer += chunk;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (block.includes(`event: ${INVITATION_STREAM.event}`) && data)
        received.push(Invitation.parse(JSON.parse(data.slice(6))));
    }
    waiters.forEach((w) => w());
  });
  res.on('error', () => undefined);
  return {
    status: res.statusCode ?? 0,
    received,
    text: () => all,
    waitFor: (n, ms = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= n) {
            clearTimeout(timer);
            waiters = waiters.filter((w) => w !== check);
            resolve(received);
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`waited ${ms} ms for ${n} invitations, got ${received.length}`)),
          ms,
        );
        waiters.push(check);
        check();
      }),
    close: () => req.destroy(),
  };
};

/** Lets in-flight deliveries land before asserting that nothing arrived. */
export const settle = (ms = 300): Promise<void> => new Promise((r) => setTimeout(r, ms));
