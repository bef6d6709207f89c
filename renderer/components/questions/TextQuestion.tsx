import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { packKeyboard } from '../../i18n/packs.ts';
import { KhmerKeyboard } from '../../keyboard/KhmerKeyboard.tsx';
import { Keyboard } from '../../keyboard/Keyboard.tsx';
import { fitEdit, lengthOf } from '../../keyboard/layout.ts';
import type { QuestionOf } from './types.ts';

type Props = {
  question: QuestionOf<'text'>;
  /** The comment as typed so far (not yet trimmed). */
  draft: string;
  locale: string;
  onDraft: (text: string) => void;
};

/**
 * A comment: a text area that also takes a physical keyboard, and the on-screen keyboard
 * (Telex on for Vietnamese) with a visible count against the question's limit.
 */
export const TextQuestion = ({ question, draft, locale, onDraft }: Props) => {
  const { t } = useTranslation();
  const counterId = useId();
  const used = lengthOf(draft);
  const full = used >= question.maxLength;
  return (
    <div className="comment">
      <div className="comment-field">
        <textarea
          className="comment-input"
          data-testid="comment-input"
          value={draft}
          inputMode="none"
          spellCheck={false}
          autoComplete="off"
          aria-label={t('comment.label')}
          aria-describedby={counterId}
          placeholder={t('comment.placeholder')}
          maxLength={question.maxLength}
          onChange={(e) => onDraft(fitEdit(draft, e.target.value, question.maxLength))}
        />
        <p id={counterId} className={`comment-counter ${full ? 'is-full' : ''}`} data-testid="comment-counter">
          {t('comment.counter', { used, max: question.maxLength })}
        </p>
      </div>
      <p className="comment-full" role="status">
        {full ? t('comment.full', { max: question.maxLength }) : ''}
      </p>
      {packKeyboard(locale) === 'khmer' ? (
        <KhmerKeyboard value={draft} onChange={onDraft} maxLength={question.maxLength} />
      ) : (
        <Keyboard
          key={locale}
          value={draft}
          onChange={onDraft}
          maxLength={question.maxLength}
          layout="text"
          telexInitially={locale === 'vi'}
        />
      )}
    </div>
  );
};
