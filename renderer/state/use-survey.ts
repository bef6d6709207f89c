import { useCallback, useMemo, useState } from 'react';
import type { AnswerValue, Answers } from '../../shared/answers.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import {
  canLeave,
  firstQuestionId,
  nextQuestionId,
  previousQuestionId,
  progressOf,
  questionById,
  textAnswer,
  withAnswer,
} from './survey-flow.ts';

/** One respondent's way through a questionnaire: answers, comment drafts and the current question. */
export const useSurveyFlow = (q: Questionnaire) => {
  const [answers, setAnswers] = useState<Answers>({});
  const [texts, setTexts] = useState<Readonly<Record<string, string>>>({});
  const [currentId, setCurrentId] = useState<string>(() => firstQuestionId(q) ?? q.questions[0]!.id);

  const question = questionById(q, currentId) ?? q.questions[0]!;
  const value = answers[question.id];

  /** Sets an answer and returns the answers it leads to (so a caller can look ahead at once). */
  const answer = useCallback(
    (id: string, v: AnswerValue | undefined): Answers => {
      const next = withAnswer(q, answers, id, v);
      setAnswers(next);
      return next;
    },
    [q, answers],
  );

  const setText = useCallback(
    (id: string, raw: string) => {
      setTexts((m) => ({ ...m, [id]: raw }));
      answer(id, textAnswer(raw));
    },
    [answer],
  );

  const view = useMemo(() => {
    const nextId = nextQuestionId(q, answers, question.id);
    return {
      nextId,
      previousId: previousQuestionId(q, answers, question.id),
      isLast: nextId === null,
      progress: progressOf(q, answers, question.id),
      canLeave: canLeave(question, value),
    };
  }, [q, answers, question, value]);

  return { answers, texts, question, value, answer, setText, goTo: setCurrentId, ...view };
};
