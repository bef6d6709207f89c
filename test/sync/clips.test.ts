import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addClip } from '../../central/clips/store.ts';
import { type RunningCentral, publishConfig } from '../../central/index.ts';
import { clipsDir } from '../../electron/core/sync/clips-store.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { type TestKiosk, enrolTestKiosk, now, openTestKiosk, startTestCentral, testEngine } from './support/kiosk.ts';
import { wav } from '../support/wav.ts';

/**
 * Read-aloud clips from central to the renderer (issue 15): the config phase fetches the clips the
 * signed manifest names and keeps only bytes that hash to the name; the kiosk hands the renderer only
 * clips whose bytes still do.
 */
let central: RunningCentral;
const kiosks: TestKiosk[] = [];
beforeAll(async () => {
  central = await startTestCentral();
});
afterAll(async () => {
  await central?.close();
});
afterEach(() => kiosks.splice(0).forEach((k) => k.close()));

const GOOD = wav(400);
const TAMPERED = wav(500);

/** Central publishes the embedded configuration again: with the clips now held, it is a new version. */
const publish = async () => {
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error('embedded config broken');
  await publishConfig(central.db, {
    unitId: central.defaultUnit.id,
    config: loaded.config,
    centralKey: central.centralKey,
  });
};

describe('read-aloud clips on the kiosk', () => {
  it('fetches the published clips, refuses one whose bytes do not match its name, and re-checks on every read', async () => {
    const good = await addClip(central.db, { locale: 'vi', text: 'Rất hài lòng', audio: GOOD });
    const bad = await addClip(central.db, { locale: 'vi', text: 'Hài lòng', audio: TAMPERED });
    // Central (or anything between) now serves other bytes, of the same length, under the signed name.
    const other = Buffer.from(TAMPERED);
    other[TAMPERED.length - 1] = 7;
    await central.db.query('UPDATE read_aloud_clips SET audio = $1 WHERE audio_sha256 = $2', [other, bad.audioSha256]);
    await publish();

    const kiosk = openTestKiosk();
    kiosks.push(kiosk);
    await enrolTestKiosk(kiosk, central);
    expect(await testEngine(kiosk).runOnce()).toMatchObject({ ok: true, config: 'applied' });
    expect(kiosk.core.config().version).toMatch(/\.r[0-9a-f]{6}$/);

    const listed = now(kiosk.core.readAloudClips({}));
    expect(listed).toEqual({
      ok: true,
      value: {
        clips: [{ locale: 'vi', textSha256: good.textSha256, audioSha256: good.audioSha256, mime: 'audio/wav' }],
      },
    });
    expect(now(kiosk.core.readAloudClip({ audioSha256: good.audioSha256 }))).toEqual({
      ok: true,
      value: { mime: 'audio/wav', base64: GOOD.toString('base64') },
    });
    expect(now(kiosk.core.readAloudClip({ audioSha256: bad.audioSha256 }))).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });

    // The clip changed on the kiosk's disk: refused (and dropped), then fetched again by the next pass.
    const file = join(clipsDir(kiosk.dataDir), `${good.audioSha256}.clip`);
    const altered = Buffer.from(GOOD);
    altered[GOOD.length - 1] = 9;
    writeFileSync(file, altered);
    expect(now(kiosk.core.readAloudClip({ audioSha256: good.audioSha256 }))).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(now(kiosk.core.readAloudClips({}))).toEqual({ ok: true, value: { clips: [] } });
    await testEngine(kiosk).runOnce();
    expect(now(kiosk.core.readAloudClip({ audioSha256: good.audioSha256 }))).toMatchObject({ ok: true });
  });
});
