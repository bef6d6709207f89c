import { z } from 'zod';
import { DEFAULT_LOCALE, LocaleCode } from './locale.ts';
import { UI_KEYS } from './ui-keys.ts';

/**
 * A language pack (issue 15): the kiosk's UI strings in one more language, delivered in the
 * configuration bundle so a province adds a language without a new build. It is validated like the
 * rest of the configuration: every UI key (renderer/i18n/vi.json, listed in shared/ui-keys.ts) is
 * translated or named in `fallback` with the built-in language to show instead, an unknown key is an
 * error naming it, and each text keeps the {{placeholders}} of the Vietnamese one.
 */

/** The languages built into the app; a pack adds another. */
export const BUILT_IN_UI_LOCALES = ['vi', 'en'] as const;

/** Noto families bundled with the renderer (from npm), each loaded only when its language is chosen. */
export const PACK_FONTS = ['noto-sans-khmer'] as const;
export type PackFont = (typeof PACK_FONTS)[number];

/** On-screen keyboard layouts for languages with their own letters (renderer/keyboard/). */
export const PACK_KEYBOARDS = ['khmer'] as const;
export type PackKeyboard = (typeof PACK_KEYBOARDS)[number];

export type UiTree = { [key: string]: string | UiTree };
const UiText = z.string().trim().min(1).max(2000);
const UiKey = z.string().max(64);
/**
 * As deep as vi.json's keys go ("admin.syncError.network"), and no deeper: a fixed depth, not a
 * recursive schema, so a hostile file nested thousands of levels deep is refused, not a stack overflow.
 */
const UI_DEPTH = 4;
const uiLevel = (depth: number): z.ZodType<UiTree> =>
  depth <= 1 ? z.record(UiKey, UiText) : z.record(UiKey, z.union([UiText, uiLevel(depth - 1)]));
const UiTreeSchema = uiLevel(UI_DEPTH);

const FallbackLocale = z.enum(BUILT_IN_UI_LOCALES);

/** The UI keys of a nested tree, with their texts: "survey.next" → "…". */
export const flattenUi = (tree: UiTree, prefix = '', out = new Map<string, string>()): Map<string, string> => {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else flattenUi(v, key, out);
  }
  return out;
};

const placeholdersOf = (text: string): string[] =>
  [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1] ?? '').sort();

/** A fallback entry names one key, or a group ("admin") standing for every key under it. */
const fallbackCovers = (entry: string, key: string): boolean => key === entry || key.startsWith(`${entry}.`);

/** The built-in language a missing key shows in, or undefined when the pack neither has it nor lists it. */
export const fallbackFor = (
  fallback: Readonly<Record<string, 'vi' | 'en'>> | undefined,
  key: string,
): 'vi' | 'en' | undefined => {
  if (!fallback) return undefined;
  // The most specific entry wins: "admin": "vi" with "admin.open": "en" shows that one key in English.
  const entry = Object.keys(fallback)
    .filter((e) => fallbackCovers(e, key))
    .sort((a, b) => b.length - a.length)[0];
  return entry === undefined ? undefined : fallback[entry];
};

/** Problems listed one by one up to this many; a pack missing everything says so once more, not 357 times. */
const MAX_LISTED = 20;

const checkCoverage = (
  pack: { ui: UiTree; fallback?: Record<string, 'vi' | 'en'> | undefined },
  ctx: z.RefinementCtx,
): void => {
  const ui = flattenUi(pack.ui);
  for (const [key, text] of ui) {
    const expected = UI_KEYS[key];
    const path = ['ui', ...key.split('.')];
    if (!expected) {
      ctx.addIssue({ code: 'custom', path, message: `unknown key "${key}" (not in the kiosk's vi.json)` });
      continue;
    }
    const got = placeholdersOf(text);
    if (got.join(',') !== [...expected].sort().join(','))
      ctx.addIssue({
        code: 'custom',
        path,
        message: `key "${key}" must keep the placeholders {{${expected.join('}}, {{')}}} (found ${got.length ? `{{${got.join('}}, {{')}}}` : 'none'})`,
      });
  }
  const keys = Object.keys(UI_KEYS);
  for (const entry of Object.keys(pack.fallback ?? {}))
    if (!keys.some((k) => fallbackCovers(entry, k)))
      ctx.addIssue({
        code: 'custom',
        path: ['fallback', entry],
        message: `unknown key "${entry}" in fallback (neither a key nor a group of vi.json)`,
      });
  const missing = keys.filter((k) => !ui.has(k) && fallbackFor(pack.fallback, k) === undefined);
  for (const key of missing.slice(0, MAX_LISTED))
    ctx.addIssue({
      code: 'custom',
      path: ['ui', ...key.split('.')],
      message: `missing key "${key}": translate it, or list it in "fallback" with "vi" or "en"`,
    });
  if (missing.length > MAX_LISTED)
    ctx.addIssue({
      code: 'custom',
      path: ['ui'],
      message: `${missing.length - MAX_LISTED} more keys missing (${missing.length} in all)`,
    });
};

export const LanguagePack = z
  .strictObject({
    locale: LocaleCode.refine((l) => !(BUILT_IN_UI_LOCALES as readonly string[]).includes(l), {
      message: 'Vietnamese and English are built in: a pack adds another language',
    }),
    /** The language's name in itself, for the language button ("ខ្មែរ"). */
    name: z.string().trim().min(1).max(60),
    /** A translation nobody fluent has checked yet says so: shown to IT in the docs, kept with the pack. */
    review: z.enum(['needs-native-speaker', 'reviewed']),
    font: z.enum(PACK_FONTS).optional(),
    keyboard: z.enum(PACK_KEYBOARDS).optional(),
    /** UI strings, in the shape of renderer/i18n/vi.json. */
    ui: UiTreeSchema,
    /** Keys (or groups of keys) deliberately left untranslated, and the built-in language shown instead. */
    fallback: z.record(z.string().max(200), FallbackLocale).optional(),
    /**
     * Translations of configuration texts (questions, answers, titles, procedure names), keyed by their
     * exact Vietnamese wording: a reworded text no longer matches, so it shows in Vietnamese rather than
     * as a stale translation, and the questionnaire's own versioned content is never rewritten.
     */
    texts: z.record(z.string().min(1).max(2000), z.string().trim().min(1).max(2000)).optional(),
  })
  .superRefine(checkCoverage);
export type LanguagePack = z.infer<typeof LanguagePack>;

/** Packs of a bundle: at most one per language. */
export const LanguagePacks = z
  .array(LanguagePack)
  .max(12)
  .superRefine((packs, ctx) => {
    const seen = new Set<string>();
    packs.forEach((p, i) => {
      if (seen.has(p.locale))
        ctx.addIssue({ code: 'custom', path: [i, 'locale'], message: `two language packs for "${p.locale}"` });
      seen.add(p.locale);
    });
  });

type Localized = Record<string, string>;

const isLocalizedText = (v: object): v is Localized =>
  typeof (v as { [DEFAULT_LOCALE]?: unknown })[DEFAULT_LOCALE] === 'string' &&
  Object.entries(v).every(([k, t]) => LocaleCode.safeParse(k).success && typeof t === 'string');

const mapTexts = (value: unknown, visit: (t: Localized) => Localized): unknown => {
  if (Array.isArray(value)) return value.map((v) => mapTexts(v, visit));
  if (value === null || typeof value !== 'object') return value;
  if (isLocalizedText(value)) return visit(value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTexts(v, visit)]));
};

/**
 * `value` (a questionnaire, an assignment) with each text given the packs' translation of its
 * Vietnamese wording where it has none of its own. For display only: what is stored and hashed is the
 * configuration as published.
 */
export const withPackTexts = <T>(value: T, packs: readonly LanguagePack[] | undefined): T => {
  const withTexts = (packs ?? []).filter((p) => p.texts && Object.keys(p.texts).length > 0);
  if (withTexts.length === 0) return value;
  // mapTexts rebuilds the same shape, only adding string entries to text records: still a T.
  return mapTexts(value, (text) => {
    const out = { ...text };
    for (const p of withTexts) {
      const translated = p.texts?.[text[DEFAULT_LOCALE] ?? ''];
      if (out[p.locale] === undefined && translated !== undefined) out[p.locale] = translated;
    }
    return out;
  }) as T;
};

/** Whether every text of `value` exists in `locale` (its own, or a pack's translation applied). */
export const hasTextsIn = (value: unknown, locale: string): boolean => {
  let complete = true;
  mapTexts(value, (text) => {
    if (text[locale] === undefined) complete = false;
    return text;
  });
  return complete;
};

/**
 * The languages offered to a respondent: the ones IT configured, then each pack's language when the
 * questionnaire (with the packs' texts applied) exists in it, so a pack never shows a Khmer UI around
 * Vietnamese questions.
 */
export const offeredLocales = (
  configured: readonly string[],
  packs: readonly LanguagePack[] | undefined,
  questionnaire: unknown,
): string[] => {
  const localized = withPackTexts(questionnaire, packs);
  const extra = (packs ?? []).map((p) => p.locale).filter((l) => !configured.includes(l) && hasTextsIn(localized, l));
  return [...configured, ...extra];
};
