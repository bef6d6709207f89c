import { formatByteSize } from '../../../shared/byte-size.ts';

/** Numbers, sizes and times as IT reads them, in the panel's language. */

const tag = (locale: string) => (locale === 'vi' ? 'vi-VN' : locale === 'en' ? 'en-GB' : locale);

export const formatNumber = (n: number, locale: string): string => new Intl.NumberFormat(tag(locale)).format(n);

export const formatBytes = (bytes: number | null, locale: string): string =>
  bytes === null ? '—' : formatByteSize(bytes, tag(locale));

export const formatTime = (iso: string | null, locale: string): string | null => {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(tag(locale), { dateStyle: 'short', timeStyle: 'medium' }).format(d);
};

/** "HH:MM" moved by `minutes`, kept within one day (00:00 .. 23:45). */
export const shiftClock = (hhmm: string, minutes: number): string => {
  const [h, m] = hhmm.split(':').map(Number);
  const total = Math.min(23 * 60 + 45, Math.max(0, (h ?? 0) * 60 + (m ?? 0) + minutes));
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
};

/** Details of an audit entry, short enough for one table cell. */
export const compactDetails = (details: Record<string, unknown>): string => {
  const text = Object.keys(details).length === 0 ? '' : JSON.stringify(details);
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
};
