import { clipKeyInput } from '../../shared/read-aloud.ts';
import type { Spoken } from './script.ts';

const hex = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The clip key of a text (shared/read-aloud.ts): SHA-256 of `${locale}\n${text}` in hex. WebCrypto is
 * there in every context the kiosk serves the UI from (loopback http and app:// are secure origins).
 */
export const clipKey = async (s: Spoken): Promise<string> =>
  hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(clipKeyInput(s.locale, s.text))));
