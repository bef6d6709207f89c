/** Binary units as IT reads them on a disk or a USB stick: 1 KB = 1,024 B. */
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/**
 * A byte count in the largest unit under 1,024 of it, with at most one decimal (none for bytes), in the digits of
 * `localeTag` (a BCP 47 tag such as 'vi-VN': "1,5 GB"). The kiosk's admin panel and central's console both show
 * free disk space this way.
 */
export const formatByteSize = (bytes: number, localeTag: string): string => {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = new Intl.NumberFormat(localeTag, { maximumFractionDigits: unit === 0 ? 0 : 1 });
  return `${digits.format(value)} ${UNITS[unit]}`;
};
