/**
 * A small in-memory cache of rendered pages with a time to live and a bound on entries (the oldest goes
 * first), so that an anonymous page on the internet costs three reports per unit and language every few
 * minutes at most, whatever the traffic, and cannot grow without limit. It holds the promise, so requests
 * that arrive while a page is being built share the one build.
 */
export class PageCache {
  private readonly entries = new Map<string, { page: Promise<string>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached page for `key`, or the one `build` makes now (cached until nowMs + ttl; a failed build is not kept). */
  get(key: string, nowMs: number, build: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > nowMs) return hit.page;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    const page = build();
    const entry = { page, expires: nowMs + this.ttlMs };
    this.entries.set(key, entry);
    page.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return page;
  }
}
