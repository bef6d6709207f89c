import { z } from 'zod';
import { runReport } from '../reports/run-report.ts';
import { DEFAULT_LOCKOUT, type LockoutPolicy } from './auth/login.ts';

/** How the console behaves; every field has a default (DEFAULT_CONSOLE_OPTIONS). */
export type ConsoleOptions = {
  /** A device is "stale" after this long without a heartbeat (the registry highlights it). Default 2 h. */
  staleAfterHours: number;
  /** A device is "drifting" when its clock differs from the server's by more than this. Default 120 s. */
  driftWarnSeconds: number;
  /** Absolute session lifetime. Default 8 h (a working day). */
  sessionHours: number;
  /** A session unused this long ends. Default 30 min. */
  idleMinutes: number;
  /**
   * Secure cookies: 'auto' marks them Secure when the request came over https (directly, or per
   * X-Forwarded-Proto when trustProxy is on); true always; false never (plain-http loopback only).
   */
  secureCookies: 'auto' | boolean;
  lockout: LockoutPolicy;
  /** Login attempts per minute per client address (before any password is checked). Default 30. */
  loginPerMinute: number;
  /**
   * Requests per minute per client address to a unit's public report page (anonymous, internet-facing;
   * pages come from a short cache, but an uncached one runs three reports). Default 60.
   */
  publicReportPerMinute: number;
  /**
   * Host names (no port, lower case, IPv6 in brackets) the console answers to; any other Host gets a
   * 421 page before a cookie or session is looked at, so a DNS-rebinding page cannot drive it.
   * Default LOOPBACK_HOSTS; startCentral adds its listen address and the configured names.
   */
  allowedHosts: readonly string[];
  /**
   * The report engine the reports page calls (default central/reports/run-report.ts). A seam for
   * tests of the page alone: they pass a fake ENGINE that records the query and returns a hand-built
   * ReportResult; the page's own checks (units, officers, ranges) still run before it is called.
   */
  runReport: typeof runReport;
};

/** What a browser on the central machine itself calls it. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/** A host name as the allow-list holds it: trimmed, lower case, an IPv6 address in brackets. */
export const normaliseHostName = (name: string): string => {
  const h = name.trim().toLowerCase();
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
};

/**
 * The console's allowed host names: loopback, the address the service listens on, and the names
 * configured (--console-hosts / CENTRAL_CONSOLE_HOSTS), without repeats.
 */
export const consoleHostsFor = (listenHost: string | undefined, configured: readonly string[] = []): string[] => [
  ...new Set(
    [...LOOPBACK_HOSTS, ...(listenHost ? [listenHost] : []), ...configured].map(normaliseHostName).filter(Boolean),
  ),
];

export const DEFAULT_CONSOLE_OPTIONS: ConsoleOptions = {
  staleAfterHours: 2,
  driftWarnSeconds: 120,
  sessionHours: 8,
  idleMinutes: 30,
  secureCookies: 'auto',
  lockout: DEFAULT_LOCKOUT,
  loginPerMinute: 30,
  publicReportPerMinute: 60,
  allowedHosts: LOOPBACK_HOSTS,
  runReport,
};

/** Stale-after in hours, as a query parameter or flag: a positive number up to 30 days. */
export const StaleHours = z.coerce.number().positive().max(720);
