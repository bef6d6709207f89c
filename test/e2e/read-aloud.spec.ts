import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { storeClipFile, writeClipManifest } from '../../electron/core/sync/clips-store.ts';
import { clipKeyInput } from '../../shared/read-aloud.ts';
import {
  QUICK_PROCEDURE,
  type Host,
  answer,
  configSet,
  expect,
  kioskctl,
  startHost,
  stopHost,
  test,
} from './support/host.ts';

/**
 * Read-aloud (issue 15), observed where it leaves the page: the speech call (speechSynthesis is replaced
 * by a recorder before the page loads, with the voices each test chooses) and the audio element (play()
 * records the src and, for a blob, the SHA-256 of the bytes it would play). One host for the file: its
 * data dir carries a configuration whose second quick question ("attitude") has a NEW wording, and two
 * published clips: one recorded for the OLD wording of that question, one for the third question.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const OVERALL_VI = 'Nhìn chung, ông/bà có hài lòng với việc giải quyết thủ tục hành chính hôm nay không?';
const OVERALL_EN = 'Overall, how satisfied are you with how your administrative procedure was handled today?';
const ATTITUDE_OLD = 'Ông/bà có hài lòng với thái độ phục vụ của công chức tiếp nhận hồ sơ không?';
const ATTITUDE_NEW = 'Ông/bà có hài lòng với cách cán bộ tiếp nhận hồ sơ hướng dẫn mình không?';
const TIME_VI = 'Ông/bà có hài lòng với thời gian chờ đợi và thời gian giải quyết hồ sơ không?';
const SCALE5_VI = ['Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng'];
const SCALE5_EN = ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'];

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A tiny valid WAV of `samples` silent samples: distinct lengths give distinct clips. */
const silentWav = (samples: number): Buffer => {
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  return b;
};
const OLD_CLIP = silentWav(800);
const TIME_CLIP = silentWav(1600);

/** The kiosk's own configuration folder: the embedded one with the attitude question reworded. */
const writeConfig = (dataDir: string) => {
  const dir = join(dataDir, 'config');
  cpSync(join(ROOT, 'assets/config'), dir, { recursive: true });
  const file = join(dir, 'questionnaires/quick.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace(ATTITUDE_OLD, ATTITUDE_NEW));
};

const publishClips = (dataDir: string) => {
  const clips = [
    { text: ATTITUDE_OLD, audio: OLD_CLIP },
    { text: TIME_VI, audio: TIME_CLIP },
  ].map(({ text, audio }) => ({
    locale: 'vi',
    textSha256: sha256(clipKeyInput('vi', text)),
    audioSha256: sha256(audio),
    bytes: audio.byteLength,
    mime: 'audio/wav' as const,
    audio,
  }));
  for (const c of clips) expect(storeClipFile(dataDir, c, c.audio)).toEqual({ ok: true });
  writeClipManifest(dataDir, { clips: clips.map(({ audio: _, ...c }) => c) });
};

let host: Host | undefined;
let dir = '';
test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-read-'));
  writeConfig(dir);
  publishClips(dir);
  host = await startHost(dir);
  configSet(dir, 'readAloudVolume', '0.5');
  configSet(dir, 'readAloudRate', '0.75');
  kioskctl(dir, 'set-procedure', QUICK_PROCEDURE);
});
test.afterAll(async () => {
  if (host) await stopHost(host);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Said =
  | { kind: 'speak'; text: string; lang: string; volume: number; rate: number }
  | { kind: 'cancel' }
  | { kind: 'audio'; src: string; sha: string | null; volume: number; rate: number };

type StubOptions = { voices: string[]; speakMs: number };

/** Runs in the page before its scripts: speech and audio record what they were asked to say. */
const installRecorder = ({ voices, speakMs }: StubOptions) => {
  const said: unknown[] = [];
  Object.assign(window, { said });
  class Utterance extends EventTarget {
    lang = '';
    voice: unknown = null;
    volume = 1;
    rate = 1;
    constructor(readonly text: string) {
      super();
    }
  }
  let timer: number | undefined;
  let speaking: Utterance | null = null;
  const synth = Object.assign(new EventTarget(), {
    getVoices: () => voices.map((lang) => ({ lang, name: `Test ${lang}`, localService: true, default: false })),
    speak: (u: Utterance) => {
      said.push({ kind: 'speak', text: u.text, lang: u.lang, volume: u.volume, rate: u.rate });
      speaking = u;
      timer = window.setTimeout(() => {
        speaking = null;
        u.dispatchEvent(new Event('end'));
      }, speakMs);
    },
    cancel: () => {
      said.push({ kind: 'cancel' });
      window.clearTimeout(timer);
      speaking?.dispatchEvent(new Event('error'));
      speaking = null;
    },
  });
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance, configurable: true });
  // The page's CSP keeps fetch() away from blob: URLs, so the recorder keeps each blob it hands out.
  const blobs = new Map<string, Blob>();
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (b: Blob | MediaSource) => {
    const url = createObjectURL(b);
    if (b instanceof Blob) blobs.set(url, b);
    return url;
  };
  HTMLMediaElement.prototype.play = function play(this: HTMLMediaElement) {
    const entry = {
      kind: 'audio',
      src: this.src,
      sha: null as string | null,
      volume: this.volume,
      rate: this.playbackRate,
    };
    said.push(entry);
    // The clip "ends" only after its bytes were read: the player revokes a blob URL once it ended.
    const blob = blobs.get(this.src);
    const read = blob
      ? blob
          .arrayBuffer()
          .then((b) => crypto.subtle.digest('SHA-256', b))
          .then((d) => {
            entry.sha = Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, '0')).join('');
          })
      : Promise.resolve();
    void read.then(() => window.setTimeout(() => this.dispatchEvent(new Event('ended')), speakMs));
    return Promise.resolve();
  };
};

const open = async (page: Page, stub: StubOptions) => {
  await page.addInitScript(installRecorder, stub);
  await page.goto(host!.url);
  await expect(page.getByTestId('attract-start')).toBeVisible({ timeout: 15_000 });
};

const said = (page: Page): Promise<Said[]> => page.evaluate(() => (window as unknown as { said: Said[] }).said);
const spokenTexts = async (page: Page) =>
  (await said(page)).flatMap((s) => (s.kind === 'speak' ? [s.text] : s.kind === 'audio' ? [`audio:${s.sha}`] : []));

test('reads the question, then each answer in screen order, with the voice of the language and IT’s volume and rate', async ({
  page,
}) => {
  await open(page, { voices: ['en-US', 'vi-VN'], speakMs: 40 });
  await page.getByTestId('attract-start').click();
  const button = page.getByTestId('read-aloud');
  await expect(button).toHaveText('Đọc to');
  await button.click();
  await expect.poll(() => spokenTexts(page)).toEqual([OVERALL_VI, ...SCALE5_VI]);
  const speech = (await said(page)).filter((s) => s.kind === 'speak');
  expect(speech.every((s) => s.lang === 'vi-VN' && s.volume === 0.5 && s.rate === 0.75)).toBe(true);
  await expect(button).toHaveAttribute('aria-pressed', 'false');
});

test('reading stops when the question changes', async ({ page }) => {
  await open(page, { voices: ['vi-VN'], speakMs: 1_500 });
  await page.getByTestId('attract-start').click();
  await page.getByTestId('read-aloud').click();
  await expect.poll(() => spokenTexts(page)).toEqual([OVERALL_VI]);
  await answer(page, '4');
  await expect.poll(async () => (await said(page)).some((s) => s.kind === 'cancel')).toBe(true);
  // Long after the first line would have ended, nothing more was said.
  await page.waitForTimeout(2_000);
  expect(await spokenTexts(page)).toEqual([OVERALL_VI]);
});

test('reading stops when the kiosk goes idle', async ({ page }) => {
  await page.clock.install();
  await open(page, { voices: ['vi-VN'], speakMs: 120_000 });
  await page.getByTestId('attract-start').click();
  await page.getByTestId('read-aloud').click();
  await expect.poll(() => spokenTexts(page)).toEqual([OVERALL_VI]);
  expect((await said(page)).some((s) => s.kind === 'cancel')).toBe(false);
  await page.clock.fastForward(46_000);
  await expect(page.getByTestId('idle-prompt')).toBeVisible();
  await expect.poll(async () => (await said(page)).map((s) => s.kind)).toEqual(['speak', 'cancel']);
});

test('a clip published for an old wording is not played: the new wording goes to the voice; a matching clip plays', async ({
  page,
}) => {
  await open(page, { voices: ['vi-VN'], speakMs: 40 });
  await page.getByTestId('attract-start').click();
  await answer(page, '4');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ATTITUDE_NEW);
  await page.getByTestId('read-aloud').click();
  await expect.poll(() => spokenTexts(page)).toEqual([ATTITUDE_NEW, ...SCALE5_VI]);
  await answer(page, '4');
  await page.getByTestId('read-aloud').click();
  await expect
    .poll(async () => (await spokenTexts(page)).slice(6))
    .toEqual([`audio:${sha256(TIME_CLIP)}`, 'Không hài lòng', 'Hài lòng', 'Rất hài lòng']);
  expect((await spokenTexts(page)).filter((s) => s === `audio:${sha256(OLD_CLIP)}`)).toEqual([]);
  const clip = (await said(page)).find((s) => s.kind === 'audio');
  expect(clip).toMatchObject({ volume: 0.5, rate: 0.75 });
});

test('without an OS voice the build-time clips read; where no source can say a text, there is no button', async ({
  page,
}) => {
  test.skip(!hasBuildClips(), 'no build-time clips in dist/renderer (espeak-ng missing when it was built)');
  await open(page, { voices: [], speakMs: 40 });
  await page.locator('[data-testid="language-option"][data-locale="en"]').click();
  await page.getByTestId('attract-start').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(OVERALL_EN);
  await page.getByTestId('read-aloud').click();
  await expect.poll(async () => (await said(page)).length).toBe(1 + SCALE5_EN.length);
  const srcs = (await said(page)).map((s) => (s.kind === 'audio' ? s.src : s.kind));
  expect(srcs.every((s) => /\/assets\/[0-9a-f]{64}-[\w-]+\.wav$/.test(s))).toBe(true);
  // Each text its own clip, named by its key: the question's first, then the answers in order.
  const keys = srcs.map((s) => /\/assets\/([0-9a-f]{64})-/.exec(s)?.[1]);
  expect(keys).toEqual([OVERALL_EN, ...SCALE5_EN].map((t) => sha256(clipKeyInput('en', t))));

  // The reworded question in Vietnamese: no published clip for it, no voice, no build clip.
  await page.getByTestId('survey-exit').click();
  await page.getByTestId('attract-start').click();
  await expect(page.getByTestId('read-aloud')).toBeVisible();
  await answer(page, '4');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ATTITUDE_NEW);
  await expect(page.getByTestId('read-aloud')).toHaveCount(0);
});

test('touch and hold an answer reads it again without choosing it, once the respondent has used read-aloud', async ({
  page,
}) => {
  await open(page, { voices: ['vi-VN'], speakMs: 40 });
  await page.getByTestId('attract-start').click();
  // Before read-aloud was used, a slow press is an ordinary choice (and says nothing).
  const slow = page.locator('[data-testid="answer-option"][data-value="4"]');
  await slow.hover();
  await page.mouse.down();
  await page.waitForTimeout(900);
  await page.mouse.up();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ATTITUDE_NEW);
  expect(await spokenTexts(page)).toEqual([]);
  await page.getByTestId('survey-back').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(OVERALL_VI);
  await page.getByTestId('read-aloud').click();
  await expect.poll(async () => (await spokenTexts(page)).length).toBe(6);
  const neutral = page.locator('[data-testid="answer-option"][data-value="3"]');
  await neutral.hover();
  await page.mouse.down();
  await page.waitForTimeout(900);
  await page.mouse.up();
  await expect.poll(async () => (await spokenTexts(page)).slice(6)).toEqual(['Bình thường']);
  await expect(neutral).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(OVERALL_VI);
  await expect(slow).toHaveAttribute('aria-pressed', 'true');
});

const hasBuildClips = (): boolean => {
  try {
    return /\.wav"/.test(readFileSync(join(ROOT, 'dist/renderer/assets', buildClipsChunk()), 'utf8'));
  } catch {
    return false;
  }
};
const buildClipsChunk = (): string =>
  readdirNames(join(ROOT, 'dist/renderer/assets')).find((f) => /^build-clips-.*\.js$/.test(f)) ?? 'missing';
const readdirNames = (d: string): string[] => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};

test('picture-first reads each question and then its answers by itself, without a tap', async ({ page }) => {
  configSet(dir, 'pictureFirst', 'true');
  try {
    await open(page, { voices: ['vi-VN'], speakMs: 40 });
    await page.getByTestId('attract-start').click();
    await expect(page.locator('html')).toHaveAttribute('data-picture-first', 'on');
    await expect.poll(() => spokenTexts(page)).toEqual([OVERALL_VI, ...SCALE5_VI]);
    await answer(page, '4');
    await expect.poll(async () => (await spokenTexts(page)).length).toBeGreaterThan(6);
    expect((await spokenTexts(page))[6]).toBe(ATTITUDE_NEW);
  } finally {
    configSet(dir, 'pictureFirst', 'false');
  }
});
