// Session lockdown: permissions, devices, screen capture, downloads, and any network request.
import { describe, expect, it } from 'vitest';
import type { Session } from 'electron';
import { isAllowedRequestUrl, lockDownSession } from '../../electron/shell/session.ts';
import { FakeSession, fakeEvent, memoryLog } from './fake-electron.ts';

const setup = () => {
  const ses = new FakeSession();
  const log = memoryLog();
  lockDownSession(ses as unknown as Session, log);
  return { ses, log };
};

describe('lockDownSession', () => {
  it.each([
    'media',
    'geolocation',
    'notifications',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'clipboard-read',
    'hid',
    'serial',
    'usb',
    'idle-detection',
    'fileSystem',
  ])('denies a %s permission request', (permission) => {
    const { ses, log } = setup();
    let granted: boolean | null = null;
    ses.permissionRequestHandler!(null, permission, (g: boolean) => (granted = g), {});
    expect(granted).toBe(false);
    expect(log.has(new RegExp(`denied permission request: ${permission}`))).toBe(true);
  });

  it('answers every permission check and device request with no', () => {
    const { ses } = setup();
    for (const p of ['media', 'geolocation', 'notifications', 'hid', 'usb', 'serial', 'clipboard-sanitized-write'])
      expect(ses.permissionCheckHandler!(null, p, 'app://kiosk', {})).toBe(false);
    expect(ses.devicePermissionHandler!({ deviceType: 'usb', origin: 'app://kiosk' })).toBe(false);
  });

  it('refuses screen capture', () => {
    const { ses } = setup();
    let streams: unknown = 'unanswered';
    ses.displayMediaHandler!({}, (s: unknown) => (streams = s));
    expect(streams).toEqual({});
  });

  it('cancels downloads', () => {
    const { ses } = setup();
    const e = fakeEvent();
    ses.emit('will-download', e, { getURL: () => 'https://x/file.exe' });
    expect(e.defaultPrevented).toBe(true);
  });

  it('cancels every request that is not to app://kiosk (the page has no network)', () => {
    const { ses } = setup();
    expect(ses.beforeRequest?.filter).toEqual({ urls: ['<all_urls>'] });
    const answer = (url: string) => {
      let r: { cancel?: boolean } | null = null;
      ses.beforeRequest!.listener({ url }, (x) => (r = x));
      return r;
    };
    expect(answer('app://kiosk/assets/index.js')).toEqual({});
    expect(answer('data:image/png;base64,AAAA')).toEqual({});
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:4780/api/getKioskState',
      'ws://127.0.0.1/',
      'file:///etc/passwd',
      'ftp://x/',
    ])
      expect(answer(url)).toEqual({ cancel: true });
    expect(ses.spellChecker).toBe(false);
  });

  it.each([
    ['app://kiosk/x', true],
    ['https://kiosk/x', false],
    ['chrome://gpu', false],
    ['garbage', false],
  ])('isAllowedRequestUrl(%s) = %s', (url, ok) => {
    expect(isAllowedRequestUrl(url)).toBe(ok);
  });
});
