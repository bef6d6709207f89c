import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { AnswerButton } from '../AnswerButton.tsx';
import { Face, type Mood } from '../Face.tsx';
import type { QuestionProps } from './types.ts';

type Level = { value: number; mood: Mood; label: string };

const levels5 = (t: TFunction): Level[] => [
  { value: 1, mood: 1, label: t('scale5.v1') },
  { value: 2, mood: 2, label: t('scale5.v2') },
  { value: 3, mood: 3, label: t('scale5.v3') },
  { value: 4, mood: 4, label: t('scale5.v4') },
  { value: 5, mood: 5, label: t('scale5.v5') },
];

/** Three levels borrow the faces of Không hài lòng, Hài lòng and Rất hài lòng. */
const levels3 = (t: TFunction): Level[] => [
  { value: 1, mood: 2, label: t('scale3.v1') },
  { value: 2, mood: 4, label: t('scale3.v2') },
  { value: 3, mood: 5, label: t('scale3.v3') },
];

/** Satisfaction on 5 or 3 levels: a face and the words on each button, worst first. */
export const ScaleQuestion = ({ question, value, onPick }: QuestionProps<'satisfaction5' | 'satisfaction3'>) => {
  const { t } = useTranslation();
  const levels = question.type === 'satisfaction5' ? levels5(t) : levels3(t);
  return (
    <div className={`answers answers-scale answers-scale-${levels.length}`}>
      {levels.map((l) => (
        <AnswerButton
          key={l.value}
          value={String(l.value)}
          selected={value === l.value}
          onSelect={() => onPick(l.value)}
          className={`answer-mood-${l.mood}`}
        >
          <Face mood={l.mood} />
          <span className="answer-label">{l.label}</span>
        </AnswerButton>
      ))}
    </div>
  );
};
