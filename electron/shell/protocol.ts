import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';

/**
 * The renderer is served from `app://kiosk/`, never from file://: a standard, secure scheme has a real
 * origin (so CSP 'self' and same-origin rules mean something) and only files under dist/renderer can be
 * reached through it.
 */
export const KIOSK_SCHEME = 'app';
export const KIOSK_HOST = 'kiosk';
export const KIOSK_ORIGIN = `${KIOSK_SCHEME}://${KIOSK_HOST}`;
export const KIOSK_START_URL = `${KIOSK_ORIGIN}/index.html`;

/**
 * Registered before `ready`. standard + secure: a proper origin treated like https (module scripts,
 * fetch of our own assets). corsEnabled lets Vite's `<script type="module" crossorigin>` load from our own
 * origin; no Access-Control-Allow-Origin header is ever sent, so no other origin can read from it.
 * Not bypassCSP, not allowServiceWorkers, not stream.
 */
export const KIOSK_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: KIOSK_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
};

/** True for a URL on our scheme and host (any path). */
export const isKioskUrl = (raw: string): boolean => {
  try {
    const url = new URL(raw);
    return url.protocol === `${KIOSK_SCHEME}:` && url.host === KIOSK_HOST && url.username === '' && url.password === '';
  } catch {
    return false;
  }
};

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.m4a': 'audio/mp4',
  '.wasm': 'application/wasm',
};

export const mimeTypeFor = (path: string): string =>
  MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

export type ResolvedPath = { ok: true; path: string } | { ok: false; status: 400 | 404; reason: string };

const refuse = (status: 400 | 404, reason: string): ResolvedPath => ({ ok: false, status, reason });

/**
 * Maps a request URL to a file under `root`, or refuses it. The URL parser already folds `.`/`..`
 * segments, so everything is checked again after percent-decoding: encoded dots and slashes, backslashes,
 * NUL and other control characters, drive letters and UNC prefixes are refused outright, and the final
 * path must still lie inside `root` (path.relative neither climbs out nor turns absolute).
 * Only our own host is served. `/` is index.html. Symlinks are checked by the caller (realpath).
 */
export const resolveProtocolPath = (root: string, requestUrl: string): ResolvedPath => {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return refuse(400, 'not a URL');
  }
  if (url.protocol !== `${KIOSK_SCHEME}:` || url.host !== KIOSK_HOST) return refuse(404, `not ${KIOSK_ORIGIN}`);
  if (url.username !== '' || url.password !== '') return refuse(400, 'credentials in URL');
  const rawPath = url.pathname;
  // Before decoding: an encoded slash or backslash would hide a segment boundary from the checks below.
  if (/%(2f|5c)/i.test(rawPath)) return refuse(400, 'encoded path separator');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return refuse(400, 'malformed percent-encoding');
  }
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return refuse(400, 'control character in path');
  if (decoded.includes('\\')) return refuse(400, 'backslash in path');
  if (!decoded.startsWith('/')) return refuse(400, 'relative path');
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.')) return refuse(400, 'dot segment in path');
  if (segments.some((s) => /^[a-zA-Z]:/.test(s))) return refuse(400, 'drive letter in path');
  if (decoded.startsWith('//')) return refuse(400, 'UNC-like path');
  if (segments.some((s) => s.startsWith('~'))) return refuse(400, 'home-relative segment');
  const relativePath = decoded === '/' ? 'index.html' : decoded.slice(1);
  if (relativePath.endsWith('/')) return refuse(404, 'directory listing');
  const rootAbs = resolve(root);
  const full = resolve(rootAbs, relativePath);
  const rel = relative(rootAbs, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    return refuse(400, 'outside the renderer root');
  return { ok: true, path: full };
};

export type ProtocolHandlerOptions = {
  /** dist/renderer */
  root: string;
  csp?: string;
  log?: (message: string) => void;
};

const securityHeaders = (csp: string): Record<string, string> => ({
  'content-security-policy': csp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), bluetooth=(), payment=()',
  'cache-control': 'no-store',
});

const NOT_BUILT_PAGE = (root: string): string =>
  `<!doctype html><meta charset="utf-8"><title>Kiosk</title><body style="font:20px sans-serif;padding:2em">` +
  `<h1>Renderer not built</h1><p>Run <code>npm run build</code> (looked in ${root.replace(/[<>&"]/g, '')}).</p>`;

/**
 * The `protocol.handle(KIOSK_SCHEME, …)` handler: GET/HEAD only, files under root only (symlinks
 * resolved and re-checked), the CSP and hardening headers on every answer.
 */
export const createProtocolHandler = (options: ProtocolHandlerOptions): ((request: Request) => Promise<Response>) => {
  const csp = options.csp ?? CONTENT_SECURITY_POLICY;
  const text = (status: number, body: string): Response =>
    new Response(body, { status, headers: { ...securityHeaders(csp), 'content-type': 'text/plain; charset=utf-8' } });
  let rootReal: string | null = null;

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed');
    const resolved = resolveProtocolPath(options.root, request.url);
    if (!resolved.ok) {
      options.log?.(`protocol: refused ${request.url.slice(0, 200)} (${resolved.reason})`);
      return text(resolved.status, resolved.status === 404 ? 'not found' : 'bad request');
    }
    try {
      rootReal ??= await realpath(options.root);
    } catch {
      // The renderer was never built: say so on screen rather than showing a blank kiosk.
      if (resolved.path === resolve(options.root, 'index.html')) {
        return new Response(NOT_BUILT_PAGE(options.root), {
          status: 503,
          headers: { ...securityHeaders(csp), 'content-type': 'text/html; charset=utf-8' },
        });
      }
      return text(404, 'not found');
    }
    try {
      const real = await realpath(resolved.path);
      const rel = relative(rootReal, real);
      if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
        options.log?.(`protocol: refused ${request.url.slice(0, 200)} (link leaves the renderer root)`);
        return text(400, 'bad request');
      }
      if (!(await stat(real)).isFile()) return text(404, 'not found');
      const body = request.method === 'HEAD' ? null : await readFile(real);
      return new Response(body, {
        status: 200,
        headers: { ...securityHeaders(csp), 'content-type': mimeTypeFor(real) },
      });
    } catch {
      return text(404, 'not found');
    }
  };
};
