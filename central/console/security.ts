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
