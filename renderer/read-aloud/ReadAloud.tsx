import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Question } from '../../shared/questionnaire.ts';
import { useApi } from '../api/context.ts';
import { useAutoReadAloud } from '../state/auto-read-aloud.ts';
import { usePrefs } from '../state/prefs.tsx';
import { type Line, createPlayer } from './player.ts';
import { type AnswerWords, questionScript } from './script.ts';
import { type ResolvedScript, resolveScript, useReadAloudSources } from './sources.ts';
import { useHoldToRead } from './use-hold-to-read.ts';

type Props = {
  question: Question;
  locale: string;
  volume: number;
  rate: number;
  /** True while something else covers the question (the idle prompt): reading stops. */
  paused: boolean;
};

const useAnswerWords = (locale: string): AnswerWords => {
  const { i18n } = useTranslation();
  return useMemo(() => {
    // The UI's own words come in the language i18next really has, Vietnamese where it has no bundle.
    const ui = i18n.hasResourceBundle(locale, 'translation') ? locale : 'vi';
    const t = i18n.getFixedT(ui);
    return {
      locale: ui,
      scale5: [t('scale5.v1'), t('scale5.v2'), t('scale5.v3'), t('scale5.v4'), t('scale5.v5')],
      scale3: [t('scale3.v1'), t('scale3.v2'), t('scale3.v3')],
      yes: t('yesno.yes'),
      no: t('yesno.no'),
    };
  }, [i18n, locale]);
};

const SpeakerIcon = () => (
  <svg className="read-aloud-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
    <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" strokeWidth="2" />
  </svg>
);

/**
 * The "Đọc to" button (issue 15): reads the question, then each answer; touch and hold an answer to hear
 * it again. Shown only where some source can say this question in this language. Reading stops when the
 * question changes, the screen goes, or the idle prompt comes up.
 */
export const ReadAloud = ({ question, locale, volume, rate, paused }: Props) => {
  const { t } = useTranslation();
  const api = useApi();
  const { markReadAloudUsed, readAloudUsed } = usePrefs();
  const sources = useReadAloudSources(api);
  const words = useAnswerWords(locale);
  // Resolved lines with the question they belong to: a stale result is never read for the next question.
  const [result, setResult] = useState<{ question: Question; locale: string; lines: ResolvedScript } | null>(null);
  const resolved = result?.question === question && result.locale === locale ? result.lines : null;
  const [playing, setPlaying] = useState(false);
  const player = useMemo(() => createPlayer(setPlaying), []);
  const options = useRef({ volume, rate });
  options.current = { volume, rate };

  useEffect(() => {
    let live = true;
    void resolveScript(api, sources, questionScript(question, locale, words)).then((lines) => {
      if (live) setResult({ question, locale, lines });
    });
    return () => {
      live = false;
    };
  }, [api, sources, question, locale, words]);

  // A new question or leaving the screen: stop at once.
  useEffect(() => player.stop, [player, question.id]);
  useEffect(() => {
    if (paused) player.stop();
  }, [paused, player]);

  const available = resolved !== null && resolved.question[0] != null;
  useHoldToRead(available && readAloudUsed && !paused, (index) => {
    const line = resolved?.answers[index];
    if (line) void player.play([line], options.current);
  });

  const readQuestionAndAnswers = (script: ResolvedScript) => {
    markReadAloudUsed();
    const lines = [...script.question, ...script.answers].filter((l): l is Line => l !== null);
    void player.play(lines, options.current);
  };

  // Picture-first (auto): each question is read once as it appears, without a tap; the button still stops it.
  const auto = useAutoReadAloud();
  const autoRead = useRef<Question | null>(null);
  useEffect(() => {
    if (!auto || !available || paused || autoRead.current === question) return;
    autoRead.current = question;
    readQuestionAndAnswers(resolved);
  });

  if (!available) return null;
  const readAll = () => (playing ? player.stop() : readQuestionAndAnswers(resolved));
  return (
    <button
      type="button"
      className="toggle read-aloud"
      data-testid="read-aloud"
      aria-pressed={playing}
      onClick={readAll}
    >
      <SpeakerIcon />
      <span>{t('readAloud.button')}</span>
    </button>
  );
};
