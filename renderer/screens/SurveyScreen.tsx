import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnswerValue } from '../../shared/answers.ts';
import { followUpWanted } from '../../shared/follow-up-offer.ts';
import { pickText } from '../../shared/locale.ts';
import type { ScreenSettings } from '../../shared/settings.ts';
import { useApi } from '../api/context.ts';
import { DisplayToggles } from '../components/DisplayToggles.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { QuestionView } from '../components/questions/QuestionView.tsx';
import { idleTimings } from '../state/accessible-layout.ts';
import { useAutoReadAloud } from '../state/auto-read-aloud.ts';
import { ReadAloud } from '../read-aloud/ReadAloud.tsx';
import { usePrefs } from '../state/prefs.tsx';
import { nextQuestionId, pruneAnswers } from '../state/survey-flow.ts';
import { useIdleTimer } from '../state/use-activity.ts';
import { type Draft, useSubmit } from '../state/use-submit.ts';
import { useSurveyFlow } from '../state/use-survey.ts';
import { ExitConfirm } from './ExitConfirm.tsx';
import { IdlePrompt } from './IdlePrompt.tsx';
import { type ContactTyped, FollowUpScreen } from './follow-up/FollowUpScreen.tsx';

/** How long a one-tap answer shows as chosen before the next question comes. */
export const CONFIRM_MS = 450;

type Props = {
  draft: Draft;
  settings: ScreenSettings;
  /** True while the staff panel covers the screen: no idle prompt then. */
  paused: boolean;
  onFinished: (outcome: 'submitted' | 'abandoned') => void;
};

export const SurveyScreen = ({ draft, settings, paused, onFinished }: Props) => {
  const { t } = useTranslation();
  const api = useApi();
  const { locale, readAloudUsed } = usePrefs();
  const autoReadAloud = useAutoReadAloud();
  const q = draft.questionnaire;
  const flow = useSurveyFlow(q);
  const { state: submitState, submit, abandon } = useSubmit(api, draft);
  const [idleDeadline, setIdleDeadline] = useState<number | null>(null);
  const [confirmExit, setConfirmExit] = useState(false);
  /** The follow-up offer is on screen: the answers are complete but not yet stored. */
  const [offering, setOffering] = useState(false);
  const advance = useRef<number | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  const finished = useRef(false);

  const cancelAdvance = () => window.clearTimeout(advance.current);
  useEffect(() => cancelAdvance, []);
  // Focus (for screen readers) moves at the next frame, not in the tap's commit: focusing forces a
  // style and layout pass, which there would come on top of the one the new question's paint needs.
  useEffect(() => {
    const id = requestAnimationFrame(() => heading.current?.focus({ preventScroll: true }));
    return () => cancelAnimationFrame(id);
  }, [flow.question.id]);

  const goTo = (id: string | null) => {
    cancelAdvance();
    if (id !== null) flow.goTo(id);
  };

  const onPick = (value: AnswerValue) => {
    const id = flow.question.id;
    const answers = flow.answer(id, value);
    const next = nextQuestionId(q, answers, id);
    cancelAdvance();
    if (next === null) return;
    advance.current = window.setTimeout(() => flow.goTo((current) => (current === id ? next : current)), CONFIRM_MS);
  };

  const finish = useCallback(
    (outcome: 'submitted' | 'abandoned') => {
      if (finished.current) return;
      finished.current = true;
      onFinished(outcome);
    },
    [onFinished],
  );

  const leave = useCallback(async () => {
    cancelAdvance();
    try {
      await abandon(locale, flow.answers);
    } finally {
      finish('abandoned');
    }
  }, [abandon, locale, flow.answers, finish]);

  const onSubmit = async () => {
    cancelAdvance();
    if (draft.followUp && followUpWanted(q, pruneAnswers(q, flow.answers))) return setOffering(true);
    if (await submit(locale, flow.answers)) finish('submitted');
  };

  const sendWith = async (contact?: ContactTyped) => {
    if (await submit(locale, flow.answers, contact)) finish('submitted');
  };

  /**
   * Idle on the follow-up offer: the survey was complete, so it is stored, without any contact (nobody
   * consented), and the screen goes back to attract, forgetting whatever was typed.
   */
  const leaveOffer = useCallback(async () => {
    try {
      if (!(await submit(locale, flow.answers))) await abandon(locale, flow.answers);
    } finally {
      finish('abandoned');
    }
  }, [submit, abandon, locale, flow.answers, finish]);

  const sending = submitState.phase === 'sending';
  const idle = idleTimings(settings, {
    accessibleLayout: settings.accessibleLayout,
    slowReader: readAloudUsed || autoReadAloud,
  });
  useIdleTimer(idleDeadline === null && !paused && !sending, idle.idleMs, () =>
    setIdleDeadline(Date.now() + idle.countdownMs),
  );

  const idlePrompt = idleDeadline !== null && (
    <IdlePrompt
      deadline={idleDeadline}
      onContinue={() => setIdleDeadline(null)}
      onTimeout={() => void (offering ? leaveOffer() : leave())}
    />
  );

  if (offering)
    return (
      <>
        <FollowUpScreen
          office={settings.officeName}
          locale={locale}
          submit={submitState}
          onDecline={() => void sendWith()}
          onSend={(contact) => void sendWith(contact)}
        />
        {idlePrompt}
      </>
    );

  const optionalEmpty = !flow.question.required && flow.value === undefined;
  const { position, total } = flow.progress;

  return (
    <main className="screen survey">
      <header className="survey-bar">
        <ProgressBar position={position} total={total} label={t('survey.progress', { position, total })} />
        <DisplayToggles compact />
        <button
          type="button"
          className="btn btn-quiet"
          data-testid="survey-exit"
          onClick={() => (Object.keys(flow.answers).length > 0 ? setConfirmExit(true) : void leave())}
        >
          {t('survey.exit')}
        </button>
      </header>

      <section className="question" key={flow.question.id} aria-labelledby="question-text">
        <h1 id="question-text" className="question-text" ref={heading} tabIndex={-1}>
          {pickText(flow.question.text, locale)}
        </h1>
        {flow.question.help && <p className="question-help">{pickText(flow.question.help, locale)}</p>}
        <QuestionView
          question={flow.question}
          value={flow.value}
          draft={flow.texts[flow.question.id] ?? ''}
          locale={locale}
          onPick={onPick}
          onChange={(v) => {
            cancelAdvance();
            flow.answer(flow.question.id, v);
          }}
          onDraft={(text) => flow.setText(flow.question.id, text)}
        />
      </section>

      <footer className="survey-nav">
        {flow.previousId !== null ? (
          <button
            type="button"
            className="btn btn-big btn-back"
            data-testid="survey-back"
            disabled={sending}
            onClick={() => goTo(flow.previousId)}
          >
            <span aria-hidden="true">‹ </span>
            {t('survey.back')}
          </button>
        ) : (
          <span className="nav-spacer" />
        )}
        <ReadAloud
          question={flow.question}
          locale={locale}
          volume={settings.readAloudVolume}
          rate={settings.readAloudRate}
          paused={idleDeadline !== null || paused}
        />
        <div className="survey-message" role="alert" data-testid="survey-error">
          {submitState.phase === 'failed' &&
            (submitState.reason === 'storage' ? t('survey.storageError') : t('survey.otherError'))}
        </div>
        {flow.isLast ? (
          <button
            type="button"
            className="btn btn-big btn-primary"
            data-testid="survey-submit"
            disabled={!flow.canLeave || sending}
            onClick={() => void onSubmit()}
          >
            {sending ? t('survey.submitting') : submitState.phase === 'failed' ? t('survey.retry') : t('survey.submit')}
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-big btn-primary"
            data-testid="survey-next"
            disabled={!flow.canLeave}
            onClick={() => goTo(flow.nextId)}
          >
            {optionalEmpty ? t('survey.skip') : t('survey.next')}
            <span aria-hidden="true"> ›</span>
          </button>
        )}
      </footer>

      {confirmExit && <ExitConfirm onStay={() => setConfirmExit(false)} onExit={() => void leave()} />}
      {idlePrompt}
    </main>
  );
};
