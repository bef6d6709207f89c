import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipKey } from '../../renderer/read-aloud/clip-key.ts';
import { type AnswerWords, questionScript, spokenText } from '../../renderer/read-aloud/script.ts';
import { voiceFor } from '../../renderer/read-aloud/sources.ts';
import { Questionnaire } from '../../shared/questionnaire.ts';
import { MAX_CLIP_BYTES, ReadAloudManifest, clipKeyInput } from '../../shared/read-aloud.ts';
import { PublishedConfig } from '../../shared/sync.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const nodeKey = (locale: string, text: string) => createHash('sha256').update(clipKeyInput(locale, text)).digest('hex');
const quick = Questionnaire.parse(
  JSON.parse(readFileSync(join(ROOT, 'assets/config/questionnaires/quick.json'), 'utf8')),
);
const VI: AnswerWords = {
  locale: 'vi',
  scale5: ['Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng'],
  scale3: ['Không hài lòng', 'Hài lòng', 'Rất hài lòng'],
  yes: 'Có',
  no: 'Không',
};

describe('read-aloud clip key', () => {
  it("is the SHA-256 of locale, newline, exact text: the renderer's WebCrypto and central's node:crypto agree", async () => {
    const text = 'Ông/bà có hài lòng với thái độ phục vụ không?';
    expect(await clipKey({ locale: 'vi', text })).toBe(nodeKey('vi', text));
    expect(nodeKey('vi', text)).toBe(createHash('sha256').update(`vi\n${text}`).digest('hex'));
  });

  it('changes with any change of wording, spacing, composition or language', async () => {
    const text = 'Ông/bà có hài lòng không?';
    const key = await clipKey({ locale: 'vi', text });
    const variants = [
      { locale: 'vi', text: 'Ông/bà có hài lòng không ?' },
      { locale: 'vi', text: `${text} ` },
      { locale: 'vi', text: text.normalize('NFD') },
      { locale: 'en', text },
    ];
    for (const v of variants) expect(await clipKey(v), JSON.stringify(v)).not.toBe(key);
  });
});

describe('read-aloud manifest schema', () => {
  const clip = {
    locale: 'vi',
    textSha256: nodeKey('vi', 'Có'),
    audioSha256: 'a'.repeat(64),
    bytes: 1200,
    mime: 'audio/wav',
  };
  it('takes a list of clips and rides in a published configuration', () => {
    expect(ReadAloudManifest.parse({ clips: [clip] })).toEqual({ clips: [clip] });
    expect(PublishedConfig.shape.readAloud.safeParse({ clips: [clip] }).success).toBe(true);
  });
  it.each([
    ['two clips for one text', { clips: [clip, { ...clip, audioSha256: 'b'.repeat(64) }] }],
    ['upper-case hash', { clips: [{ ...clip, audioSha256: 'A'.repeat(64) }] }],
    ['a path for a hash', { clips: [{ ...clip, audioSha256: '../kiosk.sqlite' }] }],
    ['a clip over the size limit', { clips: [{ ...clip, bytes: MAX_CLIP_BYTES + 1 }] }],
    ['an empty clip', { clips: [{ ...clip, bytes: 0 }] }],
    ['a format the kiosk does not play', { clips: [{ ...clip, mime: 'text/html' }] }],
    ['an unknown key', { clips: [{ ...clip, url: 'http://example.invalid/x.wav' }] }],
    ['a bad language tag', { clips: [{ ...clip, locale: 'vi\nen' }] }],
  ])('refuses %s', (_name, value) => {
    expect(ReadAloudManifest.safeParse(value).success).toBe(false);
  });
});

describe('what read-aloud says', () => {
  it('the question, then the answers in screen order (worst first on a scale)', () => {
    const overall = quick.questions[0]!;
    const script = questionScript(overall, 'vi', VI);
    expect(script.question).toEqual([{ locale: 'vi', text: overall.text['vi'] }]);
    expect(script.answers).toEqual(VI.scale5.map((text) => ({ locale: 'vi', text })));
  });

  it('a text missing in the chosen language is read, and keyed, as the Vietnamese the screen shows', () => {
    expect(spokenText({ vi: 'Có', en: 'Yes' }, 'km')).toEqual({ locale: 'vi', text: 'Có' });
    expect(spokenText({ vi: 'Có', en: 'Yes' }, 'en')).toEqual({ locale: 'en', text: 'Yes' });
  });

  it('picks a voice whose language starts with the locale, on-device first, never a mere prefix', () => {
    const v = (lang: string, localService: boolean) => ({ lang, localService }) as SpeechSynthesisVoice;
    const voices = [v('vi-VN', false), v('en-US', true), v('vi_VN', true), v('vie', true)];
    expect(voiceFor(voices, 'vi')).toBe(voices[2]);
    expect(voiceFor(voices, 'km')).toBeUndefined();
    expect(voiceFor([v('vie', true)], 'vi')).toBeUndefined();
  });
});
