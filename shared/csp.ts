/**
 * The renderer's Content-Security-Policy, sent by both hosts of the UI: the browser host
 * (electron/host/server.ts) and the Electron app:// protocol (electron/shell/protocol.ts).
 * 'self' is the serving origin: no inline script, no eval, no remote origin of any kind. Media may also
 * come from blob: URLs, which only this page's own script can make: the read-aloud clips central
 * published reach the page through KioskApi as bytes and play from a blob (issue 15).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
