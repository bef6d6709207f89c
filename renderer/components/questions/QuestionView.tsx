import type { AnswerValue } from '../../../shared/answers.ts';
import type { Question } from '../../../shared/questionnaire.ts';
import { IndicatorQuestion, SingleQuestion, YesNoQuestion } from './ChoiceQuestion.tsx';
import { MultiQuestion } from './MultiQuestion.tsx';
import { ScaleQuestion } from './ScaleQuestion.tsx';
import { TextQuestion } from './TextQuestion.tsx';

type Props = {
  question: Question;
  value: AnswerValue | undefined;
  draft: string;
  locale: string;
  onPick: (value: AnswerValue) => void;
  onChange: (value: AnswerValue | undefined) => void;
  onDraft: (text: string) => void;
};

/** The answer area for any question type. */
export const QuestionView = ({ question, value, draft, locale, onPick, onChange, onDraft }: Props) => {
  switch (question.type) {
    case 'satisfaction5':
    case 'satisfaction3':
      return <ScaleQuestion question={question} value={value} locale={locale} onPick={onPick} />;
    case 'indicator':
      return <IndicatorQuestion question={question} value={value} locale={locale} onPick={onPick} />;
    case 'yesno':
      return <YesNoQuestion question={question} value={value} locale={locale} onPick={onPick} />;
    case 'single':
      return <SingleQuestion question={question} value={value} locale={locale} onPick={onPick} />;
    case 'multi':
      return <MultiQuestion question={question} value={value} locale={locale} onChange={onChange} />;
    case 'text':
      return <TextQuestion question={question} draft={draft} locale={locale} onDraft={onDraft} />;
  }
};
