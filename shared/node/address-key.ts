import { isIPv6 } from 'node:net';

/**
 * Client addresses as rate limits and failure counts key them, for central's console logins and the
 * kiosk's LAN bridge alike: one host, one key, whichever address of its /64 it uses this time.
 */

/** The address a count is kept for: IPv4 as it is, IPv6 by its /64 (one host is given a whole /64). */
export const addressKey = (ip: string | null | undefined): string => {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
};
