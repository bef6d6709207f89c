import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../central/cli/commands.ts';
import { tempDir } from '../support/tmp.ts';
import { describe, expect, test } from 'vitest';
import { ClipRefusedError, addClip, clipManifest, removeClip } from '../../central/clips/store.ts';
import { ensureUnit, publishConfig } from '../../central/index.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { openSigned, publicKeyFrom } from '../../shared/node/signing.ts';
import { clipKeyInput } from '../../shared/read-aloud.ts';
import { PublishedConfig, Signed } from '../../shared/sync.ts';
import { type FakeDevice, deviceHeaders, enrolled, makeDevice, signedFetch } from '../support/central.ts';
import { wav } from '../support/wav.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { expectSyncError } from './expect.ts';

const sha256 = (d: string | Uint8Array) => createHash('sha256').update(d).digest('hex');

forEachBackend('read-aloud clips', (backend) => {
  const central = sharedCentral(backend);
  const getClip = (device: FakeDevice, name: string) => signedFetch(central(), device, 'GET', `/v1/clips/${name}`);

  describe('GET /v1/clips/:audioSha256', () => {
    test('gives an enrolled kiosk the audio named by its SHA-256', async () => {
      const audio = wav(301);
      const clip = await addClip(central().db, { locale: 'vi', text: 'Ông/bà có hài lòng không?', audio });
      expect(clip).toEqual({
        locale: 'vi',
        textSha256: sha256(clipKeyInput('vi', 'Ông/bà có hài lòng không?')),
        audioSha256: sha256(audio),
        bytes: audio.byteLength,
        mime: 'audio/wav',
      });
      const res = await getClip(await enrolled(central()), clip.audioSha256);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/wav');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(audio);
    });

    test('404 for a hash it does not hold, and for a name that is no hash at all', async () => {
      const device = await enrolled(central());
      expect((await getClip(device, 'f'.repeat(64))).status).toBe(404);
      expect((await getClip(device, 'F'.repeat(64))).status).toBe(404);
      expect((await getClip(device, '..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    });

    test('refused before any lookup without a device signature, with a bad one, or from an unknown device', async () => {
      const { audioSha256 } = await addClip(central().db, { locale: 'vi', text: 'Có', audio: wav(17) });
      const url = `${central().url}/v1/clips/${audioSha256}`;
      await expectSyncError(await fetch(url), 400, 'invalid_body');
      const device = await enrolled(central());
      const otherPath = deviceHeaders(device, 'GET', `/v1/clips/${'f'.repeat(64)}`);
      await expectSyncError(await fetch(url, { headers: otherPath }), 401, 'bad_signature');
      await expectSyncError(await getClip(makeDevice(), audioSha256), 401, 'unknown_device');
    });
  });

  describe('the manifest rides in every published configuration', () => {
    test('publishing after a clip is added gives a new version carrying the manifest; removing takes it out', async () => {
      const unitId = `unit-${Math.floor(Math.random() * 1e9)}`;
      await ensureUnit(central().db, { id: unitId, name: 'Xã thử' });
      const device = await enrolled(central(), makeDevice(), unitId);
      const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
      if (!loaded.ok) throw new Error('embedded config does not load');
      const publish = () =>
        publishConfig(central().db, { unitId, config: loaded.config, centralKey: central().centralKey });
      const published = async () => {
        const doc = Signed.parse(await (await signedFetch(central(), device, 'GET', '/v1/config')).json());
        const opened = openSigned(doc, publicKeyFrom(central().centralKey.publicKey));
        return PublishedConfig.parse(opened.ok ? opened.value : null);
      };
      const first = await publish();
      const text = 'Rất hài lòng';
      const clip = await addClip(central().db, { locale: 'vi', text, audio: wav(999) });
      const second = await publish();
      expect(second.status).toBe('published');
      expect(second.version).not.toBe(first.version);
      const config = await published();
      expect(config.readAloud).toEqual(await clipManifest(central().db));
      expect(config.readAloud?.clips).toContainEqual(clip);
      expect(await removeClip(central().db, 'vi', text)).toBe(true);
      expect(await removeClip(central().db, 'vi', text)).toBe(false);
      await publish();
      expect((await published()).readAloud?.clips ?? []).not.toContainEqual(clip);
    });
  });

  test('a clip that is not audio, is empty or too large is refused', async () => {
    const add = (audio: Uint8Array) => addClip(central().db, { locale: 'vi', text: 'Không', audio });
    await expect(add(Buffer.from('<html>not audio</html>'))).rejects.toThrow(ClipRefusedError);
    await expect(add(new Uint8Array(0))).rejects.toThrow(ClipRefusedError);
    await expect(add(wav(2 * 1024 * 1024))).rejects.toThrow(ClipRefusedError);
    await expect(addClip(central().db, { locale: 'vi!', text: 'Không', audio: wav(3) })).rejects.toThrow(
      ClipRefusedError,
    );
  });

  test('centralctl clips add, list and remove: the exact text and its language name the clip', async () => {
    const { dir, cleanup } = tempDir('clips-cli-');
    try {
      writeFileSync(join(dir, 'clip.wav'), wav(123));
      writeFileSync(join(dir, 'page.html'), '<html></html>');
      const ctl = async (...args: string[]) => {
        let out = '';
        let err = '';
        const code = await runCommand(args, {
          db: central().db,
          centralKey: () => central().centralKey,
          cwd: dir,
          out: (t) => (out += t),
          err: (t) => (err += t),
          now: () => new Date(),
        });
        return { code, out, err };
      };
      const text = 'Ông/bà có ý kiến gì khác không?';
      expect((await ctl('clips', 'add', '--locale', 'vi', '--text', text, 'clip.wav')).code).toBe(0);
      const listed = JSON.parse((await ctl('clips', 'list', '--json')).out) as { text: string; bytes: number }[];
      expect(listed).toContainEqual(expect.objectContaining({ text, bytes: 167 }));
      expect((await clipManifest(central().db))?.clips).toContainEqual(
        expect.objectContaining({ textSha256: sha256(clipKeyInput('vi', text)) }),
      );
      expect(await ctl('clips', 'add', '--locale', 'vi', '--text', text, 'page.html')).toMatchObject({
        code: 1,
        err: expect.stringContaining('not an audio file'),
      });
      expect((await ctl('clips', 'add', '--locale', 'vi', 'clip.wav')).code).toBe(2);
      expect((await ctl('clips', 'remove', '--locale', 'vi', '--text', `${text} `)).code).toBe(1);
      expect((await ctl('clips', 'remove', '--locale', 'vi', '--text', text)).code).toBe(0);
    } finally {
      cleanup();
    }
  });
});
