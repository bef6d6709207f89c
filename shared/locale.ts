import { z } from 'zod';

/** BCP 47 primary tags the kiosk can show. Vietnamese is the national language and always present. */
export const LocaleCode = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'expected a language tag such as "vi" or "en"');
export type LocaleCode = z.infer<typeof LocaleCode>;

export const DEFAULT_LOCALE = 'vi';

/** Text in several languages; Vietnamese is required so every screen has something to show. */
export const LocalizedText = z
  .record(LocaleCode, z.string().trim().min(1).max(2000))
  .refine((t) => typeof t[DEFAULT_LOCALE] === 'string', { message: 'a Vietnamese ("vi") text is required' });
export type LocalizedText = z.infer<typeof LocalizedText>;

/** Picks the text for a locale, falling back to Vietnamese. */
export const pickText = (text: LocalizedText, locale: string): string =>
  text[locale] ?? text[DEFAULT_LOCALE] ?? Object.values(text)[0] ?? '';
