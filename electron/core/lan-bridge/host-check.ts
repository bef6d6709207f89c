import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * The LAN bridge answers only requests addressed to it by the address they arrived on. A page of
 * another site can re-point its own name at the kiosk (DNS rebinding); the browser then treats the
 * kiosk as that site's origin and lets the page read the answers. Such a request always carries the
 * page's name in Host, so Host must be exactly "<the local address of this connection>:<port>": the
 * bound address, or, when listening on 0.0.0.0 or ::, whichever of this PC's addresses the counter PC
 * opened (each address the admin panel lists is one of them). A name, another address or another
 * port is refused before any route, token or body is looked at.
 */

/** An IPv4 client on a socket listening on :: shows the local address as ::ffff:a.b.c.d; a browser wrote a.b.c.d. */
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The Host header a browser sends for the address and port this connection arrived on ("[v6]:port" in brackets). */
export const expectedHost = (req: IncomingMessage): string | undefined => {
  const { localAddress, localPort } = req.socket;
  if (localAddress === undefined || localPort === undefined) return undefined;
  // A link-local address may carry its interface (fe80::1%eth0); a browser's Host never does.
  const address = localAddress.split('%')[0]!.toLowerCase();
  const ip = IPV4_MAPPED.exec(address)?.[1] ?? address;
  return `${isIPv6(ip) ? `[${ip}]` : ip}:${localPort}`;
};

/** Whether the request's Host is the address it arrived on; `expected` says which one that is. */
export const checkHost = (req: IncomingMessage): { ok: boolean; expected: string | undefined } => {
  const expected = expectedHost(req);
  const host = req.headers.host;
  return { ok: expected !== undefined && typeof host === 'string' && host.toLowerCase() === expected, expected };
};
