// app://kiosk: the path-traversal guard (table of hostile paths), MIME types, headers, symlinks.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';
import { CONTENT_SECURITY_POLICY as HOST_CSP } from '../../electron/host/server.ts';
import {
  KIOSK_SCHEME_PRIVILEGES,
  KIOSK_START_URL,
  createProtocolHandler,
  isKioskUrl,
  mimeTypeFor,
  resolveProtocolPath,
} from '../../electron/shell/protocol.ts';
import { tempDir } from '../support/tmp.ts';

let base: string;
let root: string;
let cleanup: () => void;

beforeAll(() => {
  const t = tempDir('kiosk-protocol-');
  base = t.dir;
  cleanup = t.cleanup;
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>kiosk</title>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'noto-sans-vietnamese.woff2'), 'wOF2');
  writeFileSync(join(root, 'assets', 'chime.mp3'), 'ID3');
  writeFileSync(join(root, 'assets', 'tên có dấu.svg'), '<svg/>');
  writeFileSync(join(base, 'secret.txt'), 'outside the root');
  mkdirSync(join(base, 'renderer-evil'));
  writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil');
  try {
    symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));
  } catch {
    // Windows without symlink rights: the symlink case is skipped below.
  }
});

afterAll(() => cleanup());

describe('resolveProtocolPath', () => {
  it.each([
    ['app://kiosk/', 'index.html'],
    ['app://kiosk/index.html', 'index.html'],
    ['app://kiosk/assets/index-abc123.js', 'assets/index-abc123.js'],
    ['app://kiosk/assets/index-abc123.js?v=1#frag', 'assets/index-abc123.js'],
    ['app://kiosk/assets/t%C3%AAn%20c%C3%B3%20d%E1%BA%A5u.svg', 'assets/tên có dấu.svg'],
  ])('serves %s from %s', (url, rel) => {
    const r = resolveProtocolPath(root, url);
    expect(r).toEqual({ ok: true, path: join(root, rel) });
  });

  // Each of these is refused, or (where the URL parser already folded the dots away) lands inside the
  // root, where no such file exists. Never a path outside the root.
  it.each([
    'app://kiosk/../secret.txt',
    'app://kiosk/..%2fsecret.txt',
    'app://kiosk/..%2Fsecret.txt',
    'app://kiosk/%2e%2e/secret.txt',
    'app://kiosk/%2E%2E%2Fsecret.txt',
    'app://kiosk/assets/%2e%2e/%2e%2e/secret.txt',
    'app://kiosk/..%5csecret.txt',
    'app://kiosk/assets\\..\\..\\secret.txt',
    'app://kiosk/%2e%2e%5c%2e%2e%5csecret.txt',
    'app://kiosk/%252e%252e/secret.txt',
    'app://kiosk/index.html%00.js',
    'app://kiosk/%00',
    'app://kiosk/assets/%0a.js',
    'app://kiosk/C:/Windows/win.ini',
    'app://kiosk/c:%5cwindows%5cwin.ini',
    'app://kiosk//etc/passwd',
    'app://kiosk/%2fetc%2fpasswd',
    'app://kiosk//server/share/x',
    'app://kiosk/~/.ssh/id_rsa',
    'app://kiosk/%E0%A4%A',
    'app://kiosk/assets/',
    'app://other/index.html',
    'app://kiosk.evil/index.html',
    'app://user:pass@kiosk/index.html',
    'file:///etc/passwd',
    'https://kiosk/index.html',
    'not a url',
    '../renderer-evil/x.js',
  ])('never leaves the root for %s', (url) => {
    const r = resolveProtocolPath(root, url);
    if (r.ok) {
      expect(r.path.startsWith(root + sep)).toBe(true);
      expect(r.path).not.toBe(join(base, 'secret.txt'));
    } else {
      expect([400, 404]).toContain(r.status);
    }
  });

  it('never answers a path outside the root for hostile input built from parts', () => {
    const parts = ['..', '%2e%2e', '%2E.', '.%2e', 'assets', '%2f', '%5c', '\\', '/', 'secret.txt', '%00', 'C:', '~'];
    for (const a of parts)
      for (const b of parts)
        for (const c of parts) {
          const r = resolveProtocolPath(root, `app://kiosk/${a}/${b}/${c}`);
          if (r.ok) expect(r.path.startsWith(root + sep)).toBe(true);
        }
  });

  it('does not accept a sibling directory whose name starts with the root name', () => {
    const r = resolveProtocolPath(root, 'app://kiosk/../renderer-evil/x.js');
    if (r.ok) expect(r.path).toBe(join(root, 'renderer-evil', 'x.js'));
  });
});

describe('the guard itself, past the URL parser', () => {
  // The URL parser folds literal and most encoded dot segments before the guard sees them; these inputs
  // reach the guard's own checks (decoded segments, separators, drive letters, NUL).
  it.each([
    ['app://kiosk/a/..%2f..%2fsecret.txt', 'encoded path separator'],
    ['app://kiosk/a/%2e%2e%5csecret.txt', 'encoded path separator'],
    ['app://kiosk/a/%2e./secret.txt', null],
    ['app://kiosk/C:/x', 'drive letter in path'],
    ['app://kiosk/x%00', 'control character in path'],
    ['app://kiosk/%C0%AE%C0%AE/secret.txt', 'malformed percent-encoding'],
  ])('%s', (url, reason) => {
    const r = resolveProtocolPath(root, url);
    if (reason === null) {
      if (r.ok) expect(r.path.startsWith(root + sep)).toBe(true);
    } else {
      expect(r).toMatchObject({ ok: false, reason });
    }
  });
});

describe('protocol handler', () => {
  const handler = () => createProtocolHandler({ root });
  const get = (url: string, method = 'GET') => handler()(new Request(url, { method }));

  it('serves index.html with the CSP and hardening headers', async () => {
    const res = await get(KIOSK_START_URL);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.text()).toContain('<title>kiosk</title>');
  });

  it.each([
    ['app://kiosk/assets/index-abc123.js', 'text/javascript; charset=utf-8'],
    ['app://kiosk/assets/index-abc123.css', 'text/css; charset=utf-8'],
    ['app://kiosk/assets/noto-sans-vietnamese.woff2', 'font/woff2'],
    ['app://kiosk/assets/chime.mp3', 'audio/mpeg'],
    ['app://kiosk/assets/t%C3%AAn%20c%C3%B3%20d%E1%BA%A5u.svg', 'image/svg+xml'],
  ])('serves %s as %s', async (url, type) => {
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers 404 for a missing file and 400 for a traversal, with the CSP still set', async () => {
    const missing = await get('app://kiosk/assets/nope.js');
    expect(missing.status).toBe(404);
    const evil = await get('app://kiosk/%2e%2e/secret.txt');
    expect([400, 404]).toContain(evil.status);
    expect(await evil.text()).not.toContain('outside the root');
    expect(evil.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses a symlink that leads out of the root', async () => {
    const res = await get('app://kiosk/assets/link.txt');
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain('outside the root');
  });

  it('allows GET and HEAD only', async () => {
    expect((await get(KIOSK_START_URL, 'HEAD')).status).toBe(200);
    expect((await get(KIOSK_START_URL, 'POST')).status).toBe(405);
  });

  it('shows a clear page when the renderer is not built', async () => {
    const res = await createProtocolHandler({ root: join(base, 'not-built') })(new Request(KIOSK_START_URL));
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});

describe('scheme and CSP', () => {
  it('registers app:// as standard and secure, without bypassing CSP', () => {
    expect(KIOSK_SCHEME_PRIVILEGES.scheme).toBe('app');
    expect(KIOSK_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true });
    expect(KIOSK_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
    expect(KIOSK_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('allowServiceWorkers');
  });

  it('uses the same CSP as the browser host', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(HOST_CSP);
  });

  it('is strict: no inline script, no eval, no remote origin', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it.each([
    ['app://kiosk/index.html', true],
    ['app://kiosk/', true],
    ['app://kiosk.evil/', false],
    ['app://user@kiosk/', false],
    ['https://kiosk/', false],
    ['file:///C:/kiosk/index.html', false],
    ['', false],
  ])('isKioskUrl(%s) = %s', (url, expected) => {
    expect(isKioskUrl(url)).toBe(expected);
  });

  it('falls back to octet-stream for unknown types', () => {
    expect(mimeTypeFor('x.exe')).toBe('application/octet-stream');
    expect(mimeTypeFor('X.PNG')).toBe('image/png');
  });
});
