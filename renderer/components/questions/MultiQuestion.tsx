import { useTranslation } from 'react-i18next';
import type { AnswerValue } from '../../../shared/answers.ts';
import { pickText } from '../../../shared/locale.ts';
import { toggleChoice } from '../../state/survey-flow.ts';
import { AnswerButton } from '../AnswerButton.tsx';
import { PictureFirstOption } from '../picture-first.tsx';
import type { QuestionOf } from './types.ts';

type Props = {
  question: QuestionOf<'multi'>;
  value: AnswerValue | undefined;
  locale: string;
  /** The new list, or undefined when nothing is chosen any more. */
  onChange: (value: string[] | undefined) => void;
};

/** Several options, each a toggle; the respondent moves on with "next". */
export const MultiQuestion = ({ question, value, locale, onChange }: Props) => {
  const { t } = useTranslation();
  const chosen = Array.isArray(value) ? value : [];
  const full = question.maxSelected !== undefined && chosen.length >= question.maxSelected;
  return (
    <>
      <p className="question-hint">
        {question.maxSelected !== undefined
          ? t('survey.chooseUpTo', { max: question.maxSelected })
          : t('survey.chooseMany')}
      </p>
      <div className={`answers answers-list answers-multi ${question.options.length > 4 ? 'answers-two-columns' : ''}`}>
        {question.options.map((o) => {
          const selected = chosen.includes(o.value);
          return (
            <AnswerButton
              key={o.value}
              value={o.value}
              selected={selected}
              disabled={full && !selected}
              className="answer-check"
              onSelect={() => {
                const next = toggleChoice(question, chosen, o.value);
                onChange(next.length > 0 ? next : undefined);
              }}
            >
              <span className="answer-box" aria-hidden="true" />
              <PictureFirstOption value={o.value} />
              <span className="answer-label">{pickText(o.label, locale)}</span>
            </AnswerButton>
          );
        })}
      </div>
    </>
  );
};
