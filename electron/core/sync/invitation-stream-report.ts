import { errorMessage } from '../../../shared/error-message.ts';
import { INVITATION_STREAM, type InvitationStatusUpdate } from '../../../shared/invitation.ts';
import { type DeviceSigner, deviceHeaders } from './client.ts';
import type { SyncClock, SyncLog } from './clock.ts';
import { type HttpClient, createHttpClient } from './http.ts';

/** Who this kiosk is to central and where central is; undefined while not enrolled (or held). */
export type StreamDevice = { centralUrl: URL; signer: DeviceSigner };

/** Updates per POST (the contract's maximum) and POSTs per flush. */
const PER_REPORT = 100;
const ROUNDS = 10;

/**
 * Reports invitation statuses to central (POST /v1/invitations/status, device-signed), at least once:
 * a status is marked reported only after central's 2xx, and only if it has not changed since it was
 * read; anything else is sent again at the next flush. One flush at a time.
 */
export const createInvitationReporter = (options: {
  device: () => StreamDevice | undefined;
  reports: {
    pending: (limit: number) => InvitationStatusUpdate[];
    acknowledged: (updates: readonly InvitationStatusUpdate[]) => void;
  };
  clock: SyncClock;
  log: SyncLog;
}) => {
  let http: HttpClient | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let lastProblem = '';

  const post = async (device: StreamDevice, updates: InvitationStatusUpdate[]): Promise<boolean> => {
    const url = new URL(INVITATION_STREAM.statusPath.replace(/^\//, ''), device.centralUrl);
    const body = Buffer.from(JSON.stringify({ updates }), 'utf8');
    http ??= createHttpClient();
    const res = await http.send(
      {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          ...deviceHeaders(options.clock.now, 'POST', url, body, device.signer),
        },
        body,
      },
      { idleTimeoutMs: 30_000, deadlineMs: 60_000, maxReplyBytes: 64 * 1024 },
    );
    if (res.status >= 200 && res.status < 300) return true;
    const problem = `HTTP ${res.status}`;
    if (problem !== lastProblem) options.log('warn', `invitation statuses not accepted by central: ${problem}`);
    lastProblem = problem;
    return false;
  };

  const flushOnce = async (): Promise<void> => {
    const device = options.device();
    if (!device) return;
    for (let round = 0; round < ROUNDS; round++) {
      const updates = options.reports.pending(PER_REPORT);
      if (updates.length === 0) return;
      try {
        if (!(await post(device, updates))) return;
      } catch (e) {
        const problem = errorMessage(e);
        if (problem !== lastProblem) options.log('warn', `invitation statuses not sent: ${problem}`);
        lastProblem = problem;
        return;
      }
      lastProblem = '';
      options.reports.acknowledged(updates);
    }
  };

  const flush = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await flushOnce();
        } while (again);
      } catch (e) {
        options.log('warn', `invitation statuses not reported: ${errorMessage(e)}`);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  return {
    flush,
    idle: async (): Promise<void> => {
      await running;
    },
    close: (): void => {
      http?.close();
      http = undefined;
    },
  };
};
