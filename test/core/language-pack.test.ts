// A language pack in the kiosk's configuration (issue 15): the core offers its language where the
// questionnaire exists in it, shows the pack's texts, and stores a response answered in it.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { EMBEDDED_CONFIG_DIR } from '../../shared/node/config-loader.ts';
import { buildAnswers, call, errorOf, okValue, silentLog } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

const KM_PACK = join(import.meta.dirname, '..', '..', 'assets', 'language-packs', 'km.json');

const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((c) => c()),
);

const openCore = (withPack: boolean) => {
  const t = tempDir('kiosk-lang-');
  cleanups.push(t.cleanup);
  const configDir = join(t.dir, 'config');
  cpSync(EMBEDDED_CONFIG_DIR, configDir, { recursive: true });
  if (withPack) {
    mkdirSync(join(configDir, 'language-packs'));
    cpSync(KM_PACK, join(configDir, 'language-packs', 'km.json'));
  }
  const core = openKioskCore({ dataDir: join(t.dir, 'data'), configDir, log: silentLog });
  cleanups.push(() => core.close());
  return core;
};

describe('a kiosk whose configuration carries the Khmer pack', () => {
  it('offers Khmer, shows the pack’s texts, and stores a response answered in Khmer', async () => {
    const core = openCore(true);
    const state = okValue(await call(core, 'getKioskState', {}));
    expect(state.settings.locales).toEqual(['vi', 'en', 'km']);
    expect(state.languagePacks?.map((p) => p.locale)).toEqual(['km']);
    expect(state.questionnaire.title['km']).toMatch(/[\u1780-\u17ff]/);
    expect(state.assignment.procedureName['km']).toMatch(/[\u1780-\u17ff]/);

    const begun = okValue(await call(core, 'beginResponse', {}));
    for (const q of begun.questionnaire.questions) expect(q.text['km']).toMatch(/[\u1780-\u17ff]/);
    const answers = buildAnswers(begun.questionnaire);
    const stored = okValue(await call(core, 'submitResponse', { draftId: begun.draftId, locale: 'km', answers }));
    const row = core.db.prepare('SELECT locale FROM responses WHERE id = ?').get(stored.id) as { locale: string };
    expect(row.locale).toBe('km');
  });

  it('stores the questionnaire as configured: the pack’s texts are for display only', async () => {
    const core = openCore(true);
    const begun = okValue(await call(core, 'beginResponse', {}));
    const kept = core.db
      .prepare('SELECT body FROM questionnaires WHERE id = ? AND version = ?')
      .get(begun.questionnaire.id, begun.questionnaire.version) as { body: string };
    expect(kept.body).not.toMatch(/[\u1780-\u17ff]/);
  });
});

describe('a kiosk without the pack', () => {
  it('neither offers Khmer nor accepts a response said to be in Khmer', async () => {
    const core = openCore(false);
    const state = okValue(await call(core, 'getKioskState', {}));
    expect(state.settings.locales).toEqual(['vi', 'en']);
    expect(state.languagePacks).toBeUndefined();
    const begun = okValue(await call(core, 'beginResponse', {}));
    const answers = buildAnswers(begun.questionnaire);
    const refused = errorOf(await call(core, 'submitResponse', { draftId: begun.draftId, locale: 'km', answers }));
    expect(refused.code).toBe('invalid_input');
  });
});
