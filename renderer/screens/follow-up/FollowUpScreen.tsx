import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CONTACT_NAME_MAX, ContactDetails, normaliseVnPhone } from '../../../shared/follow-up.ts';
import { DisplayToggles } from '../../components/DisplayToggles.tsx';
import type { SubmitState } from '../../state/use-submit.ts';
import { ConsentStep } from './ConsentStep.tsx';
import { NameField } from './NameField.tsx';
import { PhonePad } from './PhonePad.tsx';

type Step = 'ask' | 'consent' | 'phone' | 'name';
type Problem = 'phone' | 'name' | null;

export type ContactTyped = { phone: string; name?: string };

type Props = {
  office: string;
  locale: string;
  submit: SubmitState;
  /** Send the rating alone (No, I do not agree, or leave no number). */
  onDecline: () => void;
  /** Send the rating with the contact, consent given. */
  onSend: (contact: ContactTyped) => void;
};

const TITLES = {
  ask: 'followUp.ask.title',
  consent: 'followUp.consent.title',
  phone: 'followUp.phone.title',
  name: 'followUp.name.title',
} as const;

/**
 * After the last question of a low rating, before anything is stored: would the citizen like to be
 * contacted? Yes leads through the consent text, the phone number and an optional name; every step
 * can send the rating alone. What is typed lives only in this component's state, so leaving the
 * screen (sent, declined or idle) forgets it.
 */
export const FollowUpScreen = ({ office, locale, submit, onDecline, onSend }: Props) => {
  const { t } = useTranslation();
  const [step, setStep] = useState<Step>('ask');
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<Problem>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const errorId = useId();
  const sending = submit.phase === 'sending';

  useEffect(() => {
    const id = requestAnimationFrame(() => heading.current?.focus({ preventScroll: true }));
    return () => cancelAnimationFrame(id);
  }, [step]);

  const toName = () => {
    if (normaliseVnPhone(phone) === null) return setProblem('phone');
    setProblem(null);
    setStep('name');
  };

  const send = () => {
    const typedName = name.trim();
    const contact: ContactTyped = typedName === '' ? { phone } : { phone, name: typedName };
    const checked = ContactDetails.safeParse(contact);
    if (!checked.success) return setProblem(checked.error.issues[0]?.path[0] === 'phone' ? 'phone' : 'name');
    setProblem(null);
    onSend(contact);
  };

  const message =
    problem === 'phone'
      ? t('followUp.phone.invalid')
      : problem === 'name'
        ? t('followUp.name.invalid', { max: CONTACT_NAME_MAX })
        : submit.phase === 'failed'
          ? submit.reason === 'contact'
            ? t('followUp.refused')
            : submit.reason === 'storage'
              ? t('survey.storageError')
              : t('survey.otherError')
          : '';

  return (
    <main className="screen survey follow-up" data-testid="follow-up" data-step={step}>
      <header className="survey-bar">
        <DisplayToggles compact />
      </header>
      <section className="question follow-up-step" key={step} aria-labelledby="follow-up-title">
        <h1 id="follow-up-title" className="question-text" ref={heading} tabIndex={-1}>
          {t(TITLES[step])}
        </h1>
        {step === 'ask' && <p className="question-help">{t('followUp.ask.body')}</p>}
        {step === 'phone' && <p className="question-help">{t('followUp.phone.hint')}</p>}
        {/* Above the pad or keyboard, so it is seen on a short screen without scrolling. */}
        <p id={errorId} className="survey-message follow-up-message" role="alert" data-testid="follow-up-error">
          {message}
        </p>
        {step === 'consent' && <ConsentStep office={office} onAgree={() => setStep('phone')} onDecline={onDecline} />}
        {step === 'phone' && (
          <PhonePad value={phone} invalid={problem === 'phone'} errorId={errorId} onChange={setPhone} />
        )}
        {step === 'name' && (
          <NameField value={name} locale={locale} invalid={problem === 'name'} errorId={errorId} onChange={setName} />
        )}
      </section>
      {step !== 'consent' && (
        <footer className="follow-up-actions">
          {step === 'ask' ? (
            <button type="button" className="btn btn-big" data-testid="follow-up-no" onClick={onDecline}>
              {t('followUp.ask.no')}
            </button>
          ) : (
            <button
              type="button"
              className="btn btn-big"
              data-testid="follow-up-skip"
              disabled={sending}
              onClick={onDecline}
            >
              {t('followUp.skip')}
            </button>
          )}
          {step === 'ask' && (
            <button
              type="button"
              className="btn btn-big btn-primary"
              data-testid="follow-up-yes"
              onClick={() => setStep('consent')}
            >
              {t('followUp.ask.yes')}
            </button>
          )}
          {step === 'phone' && (
            <button type="button" className="btn btn-big btn-primary" data-testid="follow-up-next" onClick={toName}>
              {t('followUp.phone.next')}
            </button>
          )}
          {step === 'name' && (
            <>
              <button
                type="button"
                className="btn btn-big"
                data-testid="follow-up-back"
                disabled={sending}
                onClick={() => setStep('phone')}
              >
                {t('followUp.back')}
              </button>
              <button
                type="button"
                className="btn btn-big btn-primary"
                data-testid="follow-up-send"
                disabled={sending}
                onClick={send}
              >
                {sending ? t('followUp.sending') : t('followUp.send')}
              </button>
            </>
          )}
        </footer>
      )}
    </main>
  );
};
