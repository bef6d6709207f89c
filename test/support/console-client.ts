/**
 * A small HTTP client for the central web console, as a browser would use it: a cookie jar, the
 * CSRF token read from the last page, forms sent urlencoded or multipart, one .kbatch per request
 * as the page's script sends it. No shortcuts into the server: everything goes over loopback HTTP.
 */
import { createAdminUser, type AdminRole } from '../../central/console/auth/users.ts';
import type { CentralDb } from '../../central/index.ts';

export type Page = { status: number; text: string; headers: Headers; location: string | null };

export const TEST_PASSWORD = 'mật khẩu thử 2026';

/** Creates a console account straight in the database (what centralctl create-admin does). */
export const makeAccount = async (
  db: CentralDb,
  username: string,
  role: AdminRole = 'province_admin',
  unitId: string | null = null,
  password = TEST_PASSWORD,
) => createAdminUser(db, { username, role, unitId, password });

const csrfOf = (html: string): string | undefined =>
  /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? /data-csrf="([^"]*)"/.exec(html)?.[1];

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;

  constructor(
    readonly base: string,
    /** Extra headers on every request (e.g. X-Forwarded-Proto). */
    readonly extra: Record<string, string> = {},
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: string,
    path: string,
    init: { body?: BodyInit; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const res = await fetch(`${this.base}/console${path}`, {
      method,
      redirect: 'manual',
      headers: { ...this.extra, ...(this.cookies.size > 0 ? { cookie: this.cookieHeader() } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    this.remember(res);
    const text = await res.text();
    const token = csrfOf(text);
    if (token) this.csrf = token;
    return { status: res.status, text, headers: res.headers, location: res.headers.get('location') };
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** An urlencoded form with the current CSRF token (unless `_csrf` is given, or null to leave it out). */
  post(
    path: string,
    fields: Record<string, string | string[]> = {},
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const body = new URLSearchParams();
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    if (token !== null && token !== undefined) body.append('_csrf', token);
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.request('POST', path, {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    });
  }

  /** A multipart form: the CSRF field first (as the page orders it), then the fields, then the files. */
  postMultipart(
    path: string,
    files: { field: string; name: string; bytes: Uint8Array }[],
    fields: Record<string, string> = {},
    options: { csrf?: string | null } = {},
  ): Promise<Page> {
    const form = new FormData();
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    if (token !== null && token !== undefined) form.append('_csrf', token);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const f of files) form.append(f.field, new Blob([Uint8Array.from(f.bytes)]), f.name);
    return this.request('POST', path, { body: form });
  }

  /** One .kbatch as the upload script sends it; returns the parsed JSON answer. */
  async uploadFile(
    name: string,
    bytes: Uint8Array,
    options: { csrf?: string | null } = {},
  ): Promise<{ status: number; body: unknown }> {
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    const page = await this.request('POST', '/uploads/file', {
      body: Uint8Array.from(bytes),
      headers: {
        'content-type': 'application/octet-stream',
        accept: 'application/json',
        'x-file-name': encodeURIComponent(name),
        ...(token ? { 'x-csrf-token': token } : {}),
      },
    });
    return { status: page.status, body: page.text ? (JSON.parse(page.text) as unknown) : null };
  }

  async login(username: string, password = TEST_PASSWORD): Promise<Page> {
    await this.get('/login');
    const page = await this.post('/login', { username, password });
    if (page.status === 303 && page.location) await this.get(page.location.replace(/^.*\/console/, ''));
    return page;
  }
}
