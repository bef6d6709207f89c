import 'i18next';
import type vi from './vi.json';

/** Typed keys: a t('…') call with a key missing from vi.json fails the type check. */
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof vi };
    returnNull: false;
  }
}
