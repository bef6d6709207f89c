import { formatByteSize } from '../../shared/byte-size.ts';
import { shortDuration } from './device-status.ts';
import type { ConsoleLocale, Translate } from './i18n.ts';

export const duration = (t: Translate, ms: number): string => {
  const { d, h, m, s } = shortDuration(ms);
  if (d > 0) return t('time.dh', { d, h });
  if (h > 0) return t('time.hm', { h, m });
  if (m > 0) return t('time.ms', { m, s });
  return t('time.s', { s });
};

export const ago = (t: Translate, ms: number): string => t('time.ago', { duration: duration(t, ms) });

/** Clock drift: the kiosk ahead (+) or behind (−) the server. */
export const drift = (t: Translate, ms: number): string =>
  Math.abs(ms) < 1000
    ? t('time.inSync')
    : t(ms > 0 ? 'time.ahead' : 'time.behind', { duration: duration(t, Math.abs(ms)) });

export const bytes = (locale: ConsoleLocale, n: number): string =>
  formatByteSize(n, locale === 'vi' ? 'vi-VN' : 'en-GB');

/** A device id short enough for a table cell (the full id is in its title). */
export const shortId = (id: string): string => (id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

/** A range of sequence numbers as written in the console ("7" or "7–12"). */
export const seqRange = (from: number, to: number): string => (from === to ? String(from) : `${from}–${to}`);
