import { useTranslation } from 'react-i18next';
import { pickText } from '../../../shared/locale.ts';
import { AnswerButton } from '../AnswerButton.tsx';
import type { QuestionProps } from './types.ts';

/** The three labelled levels of a per-case indicator; the stored value is its points (2, 1 or 0). */
export const IndicatorQuestion = ({ question, value, locale, onPick }: QuestionProps<'indicator'>) => (
  <div className="answers answers-list">
    {question.options.map((o) => (
      <AnswerButton
        key={o.points}
        value={String(o.points)}
        selected={value === o.points}
        onSelect={() => onPick(o.points)}
      >
        <span className="answer-label">{pickText(o.label, locale)}</span>
      </AnswerButton>
    ))}
  </div>
);

export const YesNoQuestion = ({ value, onPick }: QuestionProps<'yesno'>) => {
  const { t } = useTranslation();
  return (
    <div className="answers answers-yesno">
      <AnswerButton value="true" selected={value === true} onSelect={() => onPick(true)}>
        <span className="answer-label">{t('yesno.yes')}</span>
      </AnswerButton>
      <AnswerButton value="false" selected={value === false} onSelect={() => onPick(false)}>
        <span className="answer-label">{t('yesno.no')}</span>
      </AnswerButton>
    </div>
  );
};

export const SingleQuestion = ({ question, value, locale, onPick }: QuestionProps<'single'>) => (
  <div className={`answers answers-list ${question.options.length > 4 ? 'answers-two-columns' : ''}`}>
    {question.options.map((o) => (
      <AnswerButton key={o.value} value={o.value} selected={value === o.value} onSelect={() => onPick(o.value)}>
        <span className="answer-label">{pickText(o.label, locale)}</span>
      </AnswerButton>
    ))}
  </div>
);
