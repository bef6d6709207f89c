import { describe, expect, it } from 'vitest';
import { bytes } from '../../central/console/format.ts';
import { formatBytes } from '../../renderer/screens/admin/format.ts';
import { formatByteSize } from '../../shared/byte-size.ts';

describe('formatByteSize: free disk space as the admin panel and the console show it', () => {
  it('picks the largest binary unit under 1,024 and keeps one decimal above bytes', () => {
    expect(formatByteSize(0, 'en-GB')).toBe('0 B');
    expect(formatByteSize(1023, 'en-GB')).toBe('1,023 B');
    expect(formatByteSize(1024, 'en-GB')).toBe('1 KB');
    expect(formatByteSize(1536, 'en-GB')).toBe('1.5 KB');
    expect(formatByteSize(5 * 1024 ** 3 + 300 * 1024 ** 2, 'en-GB')).toBe('5.3 GB');
    expect(formatByteSize(3 * 1024 ** 5, 'en-GB')).toBe('3,072 TB');
  });

  it("writes the locale's digits: Vietnamese uses a decimal comma", () => {
    expect(formatByteSize(1536, 'vi-VN')).toBe('1,5 KB');
    expect(formatByteSize(1_000_000_000_000, 'vi-VN')).toBe('931,3 GB');
  });

  it('is what both the kiosk admin panel and the central console print', () => {
    const n = 123_456_789;
    expect(formatBytes(n, 'vi')).toBe(bytes('vi', n));
    expect(formatBytes(n, 'en')).toBe(bytes('en', n));
    expect(formatBytes(null, 'en')).toBe('—');
  });
});
