import type { Transport } from '../../shared/api.ts';

const TIMEOUT_MS = 20_000;

/**
 * KioskApi over the loopback host: `POST /api/<method>` with the input as JSON and the launch token.
 * Typed failures come back as 200 envelopes; any other status means the call never reached the API,
 * so it is thrown and createKioskClient turns it into an `internal` result.
 */
export const httpTransport =
  (token: string, base = '/api/'): Transport =>
  async (method, input) => {
    const res = await fetch(`${base}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kiosk-token': token },
      body: JSON.stringify(input ?? {}),
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${method}`);
    return res.json() as Promise<unknown>;
  };
