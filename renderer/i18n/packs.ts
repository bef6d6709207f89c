import { useMemo } from 'react';
import {
  type LanguagePack,
  type PackKeyboard,
  type UiTree,
  fallbackFor,
  flattenUi,
} from '../../shared/language-pack.ts';
import { UI_KEYS } from '../../shared/ui-keys.ts';
import { loadPackFont } from '../fonts/load.ts';
import en from './en.json';
import { i18n } from './index.ts';
import vi from './vi.json';

/**
 * Language packs from the configuration (issue 15) added to i18next at run time. Every key resolves
 * to the pack's text or to the built-in language the pack names for it, so nothing falls through to
 * i18next's own fallback unannounced.
 */
const keyboards = new Map<string, PackKeyboard | undefined>();
const BUILT_IN = { vi: flattenUi(vi), en: flattenUi(en) };

const setPath = (tree: UiTree, key: string, text: string): void => {
  const parts = key.split('.');
  let node = tree;
  for (const p of parts.slice(0, -1)) {
    const next = node[p];
    node = typeof next === 'object' ? next : (node[p] = {});
  }
  node[parts[parts.length - 1] ?? key] = text;
};

/** The pack's UI strings as a complete resource tree. */
export const packResources = (pack: LanguagePack): UiTree => {
  const own = flattenUi(pack.ui);
  const tree: UiTree = {};
  for (const key of Object.keys(UI_KEYS)) {
    const text = own.get(key) ?? BUILT_IN[fallbackFor(pack.fallback, key) ?? 'vi'].get(key);
    if (text !== undefined) setPath(tree, key, text);
  }
  // The language button shows the pack's own name for it, whatever "language.name" falls back to.
  setPath(tree, 'language.name', pack.name);
  return tree;
};

export const registerPacks = (packs: readonly LanguagePack[] | undefined): void => {
  for (const pack of packs ?? []) {
    i18n.addResourceBundle(pack.locale, 'translation', packResources(pack), true, true);
    keyboards.set(pack.locale, pack.keyboard);
    // The language's name is on the picker from now on: its script's glyphs must be at hand.
    if (pack.font) void loadPackFont(pack.font);
  }
};

/** Registers the configuration's packs before this render uses them (idempotent: same texts, same result). */
export const useLanguagePacks = (packs: readonly LanguagePack[] | undefined): void => {
  useMemo(() => registerPacks(packs), [packs]);
};

/** The on-screen keyboard a pack asks for its language, if any. */
export const packKeyboard = (locale: string): PackKeyboard | undefined => keyboards.get(locale);
