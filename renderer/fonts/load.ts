import type { PackFont } from '../../shared/language-pack.ts';

/**
 * The bundled Noto families a language pack may name, each a separate chunk (a dynamic import), so
 * the main bundle carries none of them and a kiosk that never offers the language never loads one.
 */
const FONT_SHEETS: Record<PackFont, () => Promise<unknown>> = {
  'noto-sans-khmer': () => import('./noto-sans-khmer.css'),
};

const loaded = new Map<PackFont, Promise<void>>();

/** Adds the font's faces once; resolves when the sheet is in (the glyph file follows when text needs it). */
export const loadPackFont = (font: PackFont): Promise<void> => {
  let p = loaded.get(font);
  if (!p) {
    p = FONT_SHEETS[font]().then(
      () => undefined,
      () => {
        loaded.delete(font); // a failed load (a transient host problem) is tried again next time
      },
    );
    loaded.set(font, p);
  }
  return p;
};
