import { useEffect, useState } from 'react';
import type { KioskApi } from '../../shared/api.ts';
import { clipKey } from './clip-key.ts';
import type { Clip, Line, Playable } from './player.ts';
import type { QuestionScript, Spoken } from './script.ts';

/** Everything read-aloud can draw on, looked up per text in this order: published, voice, build. */
export type Sources = {
  /** Clips central published, by clip key. */
  published: ReadonlyMap<string, { audioSha256: string; mime: string }>;
  /** The operating system's voices. */
  voices: readonly SpeechSynthesisVoice[];
  /** Clips made at build time, by clip key (empty until loaded, or where the build had no espeak-ng). */
  build: ReadonlyMap<string, string>;
};

const EMPTY: Sources = { published: new Map(), voices: [], build: new Map() };

const systemVoices = (): SpeechSynthesisVoice[] =>
  typeof window.speechSynthesis === 'undefined' ? [] : window.speechSynthesis.getVoices();

/** A voice for the language: its tag starts with the locale ("vi" → "vi-VN"); an on-device one first. */
export const voiceFor = (voices: readonly SpeechSynthesisVoice[], locale: string): SpeechSynthesisVoice | undefined => {
  const matching = voices.filter((v) => {
    const lang = v.lang.toLowerCase().replace('_', '-');
    return lang === locale || lang.startsWith(`${locale}-`);
  });
  return matching.find((v) => v.localService) ?? matching[0];
};

const base64Bytes = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

const publishedClip = (api: KioskApi, audioSha256: string): Clip => {
  let url: string | null = null;
  return {
    kind: 'clip',
    from: 'published',
    url: async () => {
      const r = await api.readAloudClip({ audioSha256 });
      if (!r.ok) return null;
      url = URL.createObjectURL(new Blob([base64Bytes(r.value.base64)], { type: r.value.mime }));
      return url;
    },
    release: () => {
      if (url !== null) URL.revokeObjectURL(url);
      url = null;
    },
  };
};

/** The source for one text, or null where none can say it. */
const playableFor = async (api: KioskApi, s: Sources, spoken: Spoken): Promise<Playable | null> => {
  if (spoken.text.trim() === '') return null;
  const key = await clipKey(spoken);
  const published = s.published.get(key);
  if (published) return publishedClip(api, published.audioSha256);
  const voice = voiceFor(s.voices, spoken.locale);
  if (voice) return { kind: 'voice', voice };
  const built = s.build.get(key);
  if (built !== undefined) return { kind: 'clip', from: 'build', url: () => Promise.resolve(built) };
  return null;
};

/** What can be said of a question: its lines (null where a text has no source). */
export type ResolvedScript = { question: (Line | null)[]; answers: (Line | null)[] };

export const resolveScript = async (api: KioskApi, s: Sources, script: QuestionScript): Promise<ResolvedScript> => {
  const line = async (spoken: Spoken): Promise<Line | null> => {
    const how = await playableFor(api, s, spoken);
    return how ? { spoken, how } : null;
  };
  const [question, answers] = await Promise.all([
    Promise.all(script.question.map(line)),
    Promise.all(script.answers.map(line)),
  ]);
  return { question, answers };
};

/**
 * Loads the sources once per survey screen: the published clip list from the kiosk, the build clips'
 * module (a chunk of its own, loaded here and not before) and the OS voices, which Chromium lists
 * only after `voiceschanged`.
 */
export const useReadAloudSources = (api: KioskApi): Sources => {
  const [sources, setSources] = useState<Sources>(() => ({ ...EMPTY, voices: systemVoices() }));
  useEffect(() => {
    let live = true;
    const update = (part: Partial<Sources>) => {
      if (live) setSources((s) => ({ ...s, ...part }));
    };
    void api.readAloudClips({}).then((r) => {
      if (r.ok) update({ published: new Map(r.value.clips.map((c) => [c.textSha256, c])) });
    });
    void import('./build-clips.ts').then((m) => update({ build: m.buildClips }));
    const synth = typeof window.speechSynthesis === 'undefined' ? null : window.speechSynthesis;
    const onVoices = () => update({ voices: systemVoices() });
    synth?.addEventListener('voiceschanged', onVoices);
    onVoices();
    return () => {
      live = false;
      synth?.removeEventListener('voiceschanged', onVoices);
    };
  }, [api]);
  return sources;
};
