import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDraft } from '../../central/ops/config-drafts.ts';
import type { ConfigBundle } from '../../shared/catalog.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';

const KM = readFileSync(join(import.meta.dirname, '..', '..', 'assets', 'language-packs', 'km.json'));
const embedded = (): ConfigBundle => {
  const r = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!r.ok) throw new Error('the embedded configuration does not load');
  return r.config.bundle;
};
const upload = (fileName: string, bytes: Uint8Array) => ({ fileName, bytes });
const built = (base: ConfigBundle, fileName: string, bytes: Uint8Array): ConfigBundle => {
  const r = buildDraft(base, upload(fileName, bytes));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.loaded.bundle;
};

describe('a language pack uploaded as a configuration draft (console)', () => {
  it('is recognised by its content and added to the unit’s configuration', () => {
    const r = buildDraft(embedded(), upload('khmer.json', KM));
    expect(r.ok && r.change).toEqual({ kind: 'languagePack', id: 'km', fromVersion: null, toVersion: 'km' });
    expect(r.ok && r.loaded.bundle.languagePacks?.map((p) => [p.locale, p.review])).toEqual([
      ['km', 'needs-native-speaker'],
    ]);
  });

  it('replaces the pack for its language, and survives a later questionnaire upload', () => {
    const withKm = built(embedded(), 'km.json', KM);
    const edited = JSON.parse(KM.toString('utf8')) as { name: string };
    edited.name = 'ខ្មែរ (កែ)';
    const again = built(withKm, 'km2.json', Buffer.from(JSON.stringify(edited)));
    expect(again.languagePacks?.map((p) => p.name)).toEqual(['ខ្មែរ (កែ)']);

    const quick = readFileSync(join(EMBEDDED_CONFIG_DIR, 'questionnaires', 'quick.json'), 'utf8');
    const v2 = JSON.stringify({ ...(JSON.parse(quick) as object), version: 2 });
    expect(built(again, 'quick.json', Buffer.from(v2)).languagePacks?.map((p) => p.locale)).toEqual(['km']);
  });

  it('is refused with the uploaded file’s name and the key at fault', () => {
    const broken = JSON.parse(KM.toString('utf8')) as { ui: { survey: Record<string, string> } };
    broken.ui.survey['nextt'] = 'typo';
    const r = buildDraft(embedded(), upload('km.json', Buffer.from(JSON.stringify(broken))));
    expect(r.ok ? [] : r.problems).toEqual([
      { file: 'km.json', path: 'ui.survey.nextt', message: `unknown key "survey.nextt" (not in the kiosk's vi.json)` },
    ]);
  });
});
