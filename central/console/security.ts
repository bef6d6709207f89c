import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The console's Content-Security-Policy: nothing but our own script, stylesheet and images; no inline
 * script or style, no eval, forms post only to us, never framed. Pages are server-rendered HTML with
 * every value escaped (html.ts); the one script (client/console.ts) adds drag and drop.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const setSecurityHeaders = (reply: FastifyReply): void => {
  void reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isStateChanging = (req: FastifyRequest): boolean => !SAFE_METHODS.has(req.method);

/**
 * A second line behind the CSRF token: a state-changing request whose browser says it comes from
 * another site (Origin, or Fetch Metadata) is refused before anything is read.
 */
export const crossSite = (req: FastifyRequest): boolean => {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  return origin !== `${req.protocol}://${req.host}`;
};

/** The host name of a Host header value, lower case, without its port ("[::1]:4790" → "[::1]"). */
export const hostNameOf = (host: string): string => {
  const h = host.trim().toLowerCase();
  return /^(\[[^\]]*\]|[^:[\]]*)(:\d*)?$/.exec(h)?.[1] ?? h;
};

/**
 * DNS rebinding: a page on evil.example whose name is re-pointed at this machine reaches the console
 * with its own name in the Host header. Only names on the allow-list are answered (cf. the kiosk's
 * host in electron/host/server.ts). Behind a trusted proxy req.host is X-Forwarded-Host, the name the
 * browser used.
 */
export const allowedHost = (req: FastifyRequest, allowed: readonly string[]): boolean =>
  allowed.includes(hostNameOf(req.host));

export const sameToken = (a: string | undefined, b: string): boolean => {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The login form has no session yet: its token is an HMAC (per-process key) of a random value in a
 * SameSite=Strict, HttpOnly cookie, so a page elsewhere can neither read nor forge the pair.
 */
export const loginToken = (key: Buffer, nonce: string): string =>
  createHmac('sha256', key).update(`console-login\n${nonce}`).digest('base64url');
