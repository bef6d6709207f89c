/**
 * The renderer's Content-Security-Policy, as the browser host sends it (electron/host/server.ts).
 * Kept as a copy because server.ts imports fastify, which must not be bundled into the Electron main
 * process; test/shell/protocol.test.ts fails if the two ever differ. (Moving the constant to a
 * dependency-free shared module and importing it from both places would remove the copy.)
 * 'self' is app://kiosk here: no inline script, no eval, no remote origin of any kind.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
