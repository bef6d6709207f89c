/** The kiosk core's clock and log, injectable (tests move the clock and collect the log). */

export type Clock = { now: () => number; mono: () => number };
export const systemClock: Clock = { now: () => Date.now(), mono: () => performance.now() };

export type Logger = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
export const consoleLogger: Logger = (level, message, data) =>
  console[level === 'info' ? 'log' : level](`[kiosk] ${message}`, data ?? '');
