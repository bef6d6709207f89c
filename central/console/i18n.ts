/**
 * The console's UI strings: central/console/i18n/<locale>.json, Vietnamese the default and the
 * fallback. Keys are typed from vi.json (a missing key fails the type check); every locale file
 * must have the same keys and placeholders (test/central/console-i18n.test.ts).
 *
 * Not i18next: the renderer augments i18next's types program-wide with its own resources, so the
 * console would be checked against the kiosk's keys. `{{name}}` interpolation is all we need.
 */
import { z } from 'zod';
import en from './i18n/en.json' with { type: 'json' };
import vi from './i18n/vi.json' with { type: 'json' };

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

export type ConsoleKey = Leaves<typeof vi>;
export const CONSOLE_LOCALES = ['vi', 'en'] as const;
export const ConsoleLocale = z.enum(CONSOLE_LOCALES);
export type ConsoleLocale = z.infer<typeof ConsoleLocale>;
export const DEFAULT_CONSOLE_LOCALE: ConsoleLocale = 'vi';

type Tree = { [k: string]: string | Tree };
const flatten = (tree: Tree, prefix = '', out = new Map<string, string>()): Map<string, string> => {
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(`${prefix}${k}`, v);
    else flatten(v, `${prefix}${k}.`, out);
  }
  return out;
};

export const CONSOLE_RESOURCES: Record<ConsoleLocale, ReadonlyMap<string, string>> = {
  vi: flatten(vi),
  en: flatten(en),
};

export type Vars = Record<string, string | number>;
export type Translate = (key: ConsoleKey, vars?: Vars) => string;

export const translator =
  (locale: ConsoleLocale): Translate =>
  (key, vars = {}) => {
    const text = CONSOLE_RESOURCES[locale].get(key) ?? CONSOLE_RESOURCES.vi.get(key) ?? key;
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) =>
      Object.hasOwn(vars, name) ? String(vars[name]) : m,
    );
  };

/** Formats an instant for the page's locale in Vietnam's time zone (operators read local time). */
export const formatTime = (locale: ConsoleLocale, d: Date | string | null | undefined): string => {
  if (d === null || d === undefined) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(date);
};

export const formatNumber = (locale: ConsoleLocale, n: number): string =>
  new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB').format(n);
