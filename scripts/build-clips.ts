// Read-aloud clips for the default questionnaires (issue 15), made at build time by espeak-ng (Debian's
// free offline speech engine) into assets/clips/<clip key>.wav; the renderer bundles them as assets it
// fetches only when played. A machine without espeak-ng skips this with one line: the kiosk then reads
// with an OS voice or a province's published clips, and hides the button where it has neither.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Questionnaire } from '../shared/questionnaire.ts';
import { clipKeyInput } from '../shared/read-aloud.ts';
import { type AnswerWords, type Spoken, questionScript } from '../renderer/read-aloud/script.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'assets/clips');
/** espeak-ng's voice for each language the build speaks. */
const VOICES: Record<string, string> = { vi: 'vi', en: 'en-gb' };
/** Words per minute: espeak-ng's default is 175; a little slower suits a kiosk (IT's rate applies on top). */
const SPEED = '150';

const clipKey = (s: Spoken) => createHash('sha256').update(clipKeyInput(s.locale, s.text)).digest('hex');

type UiJson = { scale5: Record<string, string>; scale3: Record<string, string>; yesno: { yes: string; no: string } };

const answerWords = (locale: string): AnswerWords => {
  const ui = JSON.parse(readFileSync(join(ROOT, `renderer/i18n/${locale}.json`), 'utf8')) as UiJson;
  const { v1 = '', v2 = '', v3 = '', v4 = '', v5 = '' } = ui.scale5;
  return {
    locale,
    scale5: [v1, v2, v3, v4, v5],
    scale3: [ui.scale3['v1'] ?? '', ui.scale3['v2'] ?? '', ui.scale3['v3'] ?? ''],
    yes: ui.yesno.yes,
    no: ui.yesno.no,
  };
};

/** Every text read-aloud says on the default questionnaires, in each language the build speaks. */
export const defaultTexts = (): Spoken[] => {
  const dir = join(ROOT, 'assets/config/questionnaires');
  const questionnaires = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => Questionnaire.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
  const texts = new Map<string, Spoken>();
  for (const locale of Object.keys(VOICES)) {
    const words = answerWords(locale);
    for (const q of questionnaires.flatMap((x) => x.questions)) {
      const script = questionScript(q, locale, words);
      for (const s of [...script.question, ...script.answers]) if (VOICES[s.locale]) texts.set(clipKey(s), s);
    }
  }
  return [...texts.values()];
};

const main = () => {
  if (spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('build-clips: espeak-ng not found, no build-time read-aloud clips (Debian: apt-get install espeak-ng)');
    return;
  }
  mkdirSync(OUT, { recursive: true });
  const texts = defaultTexts();
  const wanted = new Set(texts.map((s) => `${clipKey(s)}.wav`));
  let made = 0;
  for (const s of texts) {
    const file = join(OUT, `${clipKey(s)}.wav`);
    if (existsSync(file)) continue; // named by content: an existing file is this very text
    const tmp = `${file}.tmp`;
    execFileSync('espeak-ng', ['-v', VOICES[s.locale] ?? s.locale, '-s', SPEED, '-w', tmp, '--stdin'], {
      input: s.text,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    renameSync(tmp, file);
    made += 1;
  }
  let removed = 0;
  for (const f of readdirSync(OUT))
    if (f.endsWith('.wav') && !wanted.has(f)) {
      rmSync(join(OUT, f));
      removed += 1;
    }
  console.log(`build-clips: ${texts.length} clips in assets/clips (${made} made, ${removed} stale removed)`);
};

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
