import type { Session } from 'electron';
import type { ShellLog } from './ipc.ts';
import { KIOSK_SCHEME } from './protocol.ts';

/** Schemes the page may load from. Anything else (http, https, ws, file, ftp, …) is cancelled. */
const ALLOWED_SCHEMES = new Set([`${KIOSK_SCHEME}:`, 'data:', 'blob:', 'devtools:']);

export const isAllowedRequestUrl = (raw: string): boolean => {
  try {
    return ALLOWED_SCHEMES.has(new URL(raw).protocol);
  } catch {
    return false;
  }
};

/**
 * Locks down a session: every permission request and check is denied (camera, microphone, geolocation,
 * notifications, HID/USB/serial, clipboard read, openExternal, …), device and display-media pickers
 * are refused, downloads are cancelled and every request that is not to app://kiosk is cancelled, so
 * the page has no network at all even if the CSP were wrong. The kiosk core does all networking (sync).
 */
export const lockDownSession = (ses: Session, log: ShellLog): void => {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn(`denied permission request: ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => {
    log.warn('denied screen capture request');
    callback({});
  });
  ses.on('will-download', (event, item) => {
    event.preventDefault();
    log.warn('denied download', { url: item.getURL().slice(0, 200) });
  });
  ses.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    if (isAllowedRequestUrl(details.url)) return callback({});
    log.warn('cancelled request', { url: details.url.slice(0, 200) });
    callback({ cancel: true });
  });
  ses.setSpellCheckerEnabled(false);
};
