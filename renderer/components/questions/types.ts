import type { AnswerValue } from '../../../shared/answers.ts';
import type { Question } from '../../../shared/questionnaire.ts';

export type QuestionOf<T extends Question['type']> = Extract<Question, { type: T }>;

export type QuestionProps<T extends Question['type']> = {
  question: QuestionOf<T>;
  value: AnswerValue | undefined;
  locale: string;
  /** A one-tap answer: the survey shows the choice briefly, then may move on. */
  onPick: (value: AnswerValue) => void;
};
