import type { Spoken } from './script.ts';

/** How one text is said: an OS voice, or a clip whose URL is fetched when its turn comes. */
export type Voice = { kind: 'voice'; voice: SpeechSynthesisVoice };
export type Clip = {
  kind: 'clip';
  from: 'published' | 'build';
  url: () => Promise<string | null>;
  release?: () => void;
};
export type Playable = Voice | Clip;
export type Line = { spoken: Spoken; how: Playable };

export type PlayOptions = { volume: number; rate: number };

/** Waits for one of `events` on `target`, or for the abort; always settles. */
const settled = (target: EventTarget, events: readonly string[], signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      for (const e of events) target.removeEventListener(e, done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    for (const e of events) target.addEventListener(e, done);
    signal.addEventListener('abort', done);
  });

const speak = async (line: Line & { how: Voice }, o: PlayOptions, signal: AbortSignal): Promise<void> => {
  const u = new SpeechSynthesisUtterance(line.spoken.text);
  u.voice = line.how.voice;
  u.lang = line.how.voice.lang;
  u.volume = o.volume;
  u.rate = o.rate;
  const done = settled(u, ['end', 'error'], signal);
  window.speechSynthesis.speak(u);
  await done;
};

const playClip = async (
  audio: HTMLAudioElement,
  line: Line & { how: Clip },
  o: PlayOptions,
  signal: AbortSignal,
): Promise<void> => {
  const url = await line.how.url();
  if (url === null || signal.aborted) return;
  audio.src = url;
  audio.volume = o.volume;
  audio.playbackRate = o.rate;
  const done = settled(audio, ['ended', 'error', 'pause'], signal);
  // A refused play() (no audio device) ends this line; the next one still gets its turn.
  await audio.play().catch(() => undefined);
  await done;
  line.how.release?.();
};

/**
 * Says lines one after another, each from its own source. One player per screen: a new play() or a
 * stop() cuts whatever is being said at once (speech cancelled, audio paused), so nothing from a
 * previous question or an idle screen keeps talking.
 */
export const createPlayer = (onPlaying: (playing: boolean) => void) => {
  let current: AbortController | null = null;
  let audio: HTMLAudioElement | null = null;

  const stop = () => {
    if (!current) return;
    current.abort();
    current = null;
    window.speechSynthesis?.cancel();
    audio?.pause();
    onPlaying(false);
  };

  const play = async (lines: readonly Line[], o: PlayOptions): Promise<void> => {
    stop();
    const mine = new AbortController();
    current = mine;
    onPlaying(true);
    for (const line of lines) {
      if (mine.signal.aborted) return;
      if (line.how.kind === 'voice') await speak({ ...line, how: line.how }, o, mine.signal);
      else await playClip((audio ??= new Audio()), { ...line, how: line.how }, o, mine.signal);
    }
    if (current === mine) {
      current = null;
      onPlaying(false);
    }
  };

  return { play, stop };
};
export type Player = ReturnType<typeof createPlayer>;
