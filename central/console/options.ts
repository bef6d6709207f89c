import { z } from 'zod';
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
};

export const DEFAULT_CONSOLE_OPTIONS: ConsoleOptions = {
  staleAfterHours: 2,
  driftWarnSeconds: 120,
  sessionHours: 8,
  idleMinutes: 30,
  secureCookies: 'auto',
  lockout: DEFAULT_LOCKOUT,
  loginPerMinute: 30,
};

/** Stale-after in hours, as a query parameter or flag: a positive number up to 30 days. */
export const StaleHours = z.coerce.number().positive().max(720);
