import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigBundle } from '../../shared/catalog.ts';
import {
  LanguagePack,
  fallbackFor,
  flattenUi,
  hasTextsIn,
  offeredLocales,
  withPackTexts,
} from '../../shared/language-pack.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { UI_KEYS } from '../../shared/ui-keys.ts';
import vi from '../../renderer/i18n/vi.json';
import { defaultQuestionnaire } from './config-fixtures.ts';

const KM_FILE = join(import.meta.dirname, '..', '..', 'assets', 'language-packs', 'km.json');
const kmJson = (): Record<string, unknown> & { ui: Record<string, Record<string, string>> } =>
  JSON.parse(readFileSync(KM_FILE, 'utf8')) as Record<string, unknown> & { ui: Record<string, Record<string, string>> };

/** A pack translating every key with the key itself (placeholders kept): the smallest complete pack. */
const completePack = () => {
  const ui: Record<string, unknown> = {};
  for (const [key, names] of Object.entries(UI_KEYS)) {
    const parts = key.split('.');
    let node = ui;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = `«${key}» ${names.map((n) => `{{${n}}}`).join(' ')}`.trim();
  }
  return { locale: 'hmn', name: 'Hmoob', review: 'needs-native-speaker', ui };
};

const messages = (raw: unknown): string[] => {
  const r = LanguagePack.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('LanguagePack', () => {
  it('takes a pack with every key of vi.json', () => {
    expect(messages(completePack())).toEqual([]);
  });

  it('UI_KEYS lists exactly the keys of vi.json (scripts/check-i18n.mjs keeps it generated)', () => {
    expect(Object.keys(UI_KEYS).sort()).toEqual([...flattenUi(vi).keys()].sort());
  });

  it('refuses a missing key without a fallback, naming the key', () => {
    const pack = completePack();
    delete (pack.ui['survey'] as Record<string, string>)['next'];
    expect(messages(pack)).toEqual([
      'ui.survey.next: missing key "survey.next": translate it, or list it in "fallback" with "vi" or "en"',
    ]);
  });

  it('takes a missing key listed in fallback, alone or by its group, the most specific entry winning', () => {
    const pack = completePack();
    delete (pack.ui['survey'] as Record<string, string>)['next'];
    delete pack.ui['admin'];
    expect(messages({ ...pack, fallback: { 'survey.next': 'en', admin: 'vi', 'admin.open': 'en' } })).toEqual([]);
    const fallback = { admin: 'vi', 'admin.open': 'en' } as const;
    expect(fallbackFor(fallback, 'admin.tab.status')).toBe('vi');
    expect(fallbackFor(fallback, 'admin.open')).toBe('en');
    expect(fallbackFor(fallback, 'administrator')).toBeUndefined();
  });

  it('refuses an unknown key, in ui or in fallback, naming it', () => {
    const pack = completePack();
    (pack.ui['survey'] as Record<string, string>)['nxet'] = 'typo';
    expect(messages({ ...pack, fallback: { 'survey.nope': 'vi' } })).toEqual([
      `ui.survey.nxet: unknown key "survey.nxet" (not in the kiosk's vi.json)`,
      'fallback.survey.nope: unknown key "survey.nope" in fallback (neither a key nor a group of vi.json)',
    ]);
  });

  it('refuses a text that lost or renamed a placeholder', () => {
    const pack = completePack();
    (pack.ui['survey'] as Record<string, string>)['progress'] = 'Question {{pos}} of {{total}}';
    expect(messages(pack)).toEqual([
      'ui.survey.progress: key "survey.progress" must keep the placeholders {{position}}, {{total}} (found {{pos}}, {{total}})',
    ]);
  });

  it('refuses a fallback to a language that is not built in, and a pack for a built-in language', () => {
    const pack = completePack();
    delete pack.ui['admin'];
    expect(messages({ ...pack, fallback: { admin: 'fr' } }).some((m) => m.startsWith('fallback.admin:'))).toBe(true);
    expect(messages({ ...completePack(), locale: 'vi' })).toEqual([
      'locale: Vietnamese and English are built in: a pack adds another language',
    ]);
  });

  it('says how many more keys are missing instead of listing hundreds', () => {
    const found = messages({ locale: 'km', name: 'ខ្មែរ', review: 'reviewed', ui: {} });
    expect(found).toHaveLength(21);
    expect(found.at(-1)).toBe(
      `ui: ${Object.keys(UI_KEYS).length - 20} more keys missing (${Object.keys(UI_KEYS).length} in all)`,
    );
  });
});

describe('the Khmer pack (assets/language-packs/km.json)', () => {
  const km = LanguagePack.parse(kmJson());

  it('is valid, marked for review by a native speaker, with its font and keyboard', () => {
    expect(km).toMatchObject({
      locale: 'km',
      review: 'needs-native-speaker',
      font: 'noto-sans-khmer',
      keyboard: 'khmer',
    });
  });

  it('translates every string a respondent sees; only staff, IT and Telex keys fall back to Vietnamese', () => {
    const fallbackKeys = Object.keys(UI_KEYS).filter((k) => !flattenUi(km.ui).has(k));
    expect(fallbackKeys.every((k) => /^(admin|staff|staffDisplay)\.|^keyboard\.(telex|diacritics|tone)/.test(k))).toBe(
      true,
    );
    for (const text of flattenUi(km.ui).values()) expect(text).toMatch(/[\u1780-\u17ff]/);
  });

  it('gives every default questionnaire all its texts in Khmer, and the picker offers Khmer for each', () => {
    for (const id of ['quick', 'per-case', 'sipas'] as const) {
      const q = defaultQuestionnaire(id);
      expect(hasTextsIn(q, 'km')).toBe(false);
      expect(hasTextsIn(withPackTexts(q, [km]), 'km')).toBe(true);
      expect(offeredLocales(['vi', 'en'], [km], q)).toEqual(['vi', 'en', 'km']);
    }
  });

  it('does not offer Khmer for a questionnaire whose wording changed since the translation', () => {
    const q = defaultQuestionnaire('quick');
    const reworded = { ...q, questions: q.questions.map((x, i) => (i === 0 ? { ...x, text: { vi: 'Câu mới' } } : x)) };
    expect(offeredLocales(['vi', 'en'], [km], reworded)).toEqual(['vi', 'en']);
    // The reworded text stays Vietnamese rather than showing the old wording's translation.
    expect(withPackTexts(reworded, [km]).questions[0]?.text).toEqual({ vi: 'Câu mới' });
  });

  it("never overrides a questionnaire's own text in the pack's language", () => {
    const q = defaultQuestionnaire('quick');
    const own = { ...q, title: { ...q.title, km: 'ចំណងជើងផ្ទាល់' } };
    expect(withPackTexts(own, [km]).title['km']).toBe('ចំណងជើងផ្ទាល់');
  });
});

describe('language packs in the configuration', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const copyWithPack = (pack: unknown): string => {
    dir = mkdtempSync(join(tmpdir(), 'lang-pack-'));
    cpSync(EMBEDDED_CONFIG_DIR, dir, { recursive: true });
    mkdirSync(join(dir, 'language-packs'));
    writeFileSync(join(dir, 'language-packs', 'km.json'), JSON.stringify(pack));
    return dir;
  };

  it('loads language-packs/*.json into the bundle', () => {
    const r = loadConfigDir(copyWithPack(kmJson()));
    expect(r.ok && r.config.bundle.languagePacks?.map((p) => p.locale)).toEqual(['km']);
  });

  it('names the pack file and the key of a problem', () => {
    const pack = kmJson();
    delete pack.ui['survey']!['next'];
    const r = loadConfigDir(copyWithPack(pack));
    expect(r.ok ? [] : r.problems).toEqual([
      {
        file: 'language-packs/km.json',
        path: 'ui.survey.next',
        message: 'missing key "survey.next": translate it, or list it in "fallback" with "vi" or "en"',
      },
    ]);
  });

  it('leaves a bundle without packs as it was (same content, same hash)', () => {
    const r = loadConfigDir(EMBEDDED_CONFIG_DIR);
    expect(r.ok && 'languagePacks' in r.config.bundle).toBe(false);
  });

  it('refuses two packs for one language', () => {
    const r = loadConfigDir(EMBEDDED_CONFIG_DIR);
    if (!r.ok) throw new Error('embedded config');
    const km = kmJson();
    const parsed = ConfigBundle.safeParse({ ...r.config.bundle, languagePacks: [km, km] });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'languagePacks.1.locale: two language packs for "km"',
    ]);
  });
});

describe('a hostile pack', () => {
  it('nested far deeper than any UI key is refused, not a stack overflow', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const r = LanguagePack.safeParse({ locale: 'km', name: 'x', review: 'reviewed', ui: deep });
    expect(r.success).toBe(false);
  });
});
