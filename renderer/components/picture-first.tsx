import { type ReactNode, createContext, useContext, useEffect } from 'react';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { AutoReadAloudContext } from '../state/auto-read-aloud.ts';
import { OptionPicture } from './picture-first-icons.tsx';

const PictureFirstContext = createContext(false);

/** True while a picture-first questionnaire is on screen. */
export const usePictureFirst = (): boolean => useContext(PictureFirstContext);

/**
 * Picture-first applies to the quick questionnaire only: its questions are faces and reasons that
 * pictures can carry. The per-case and SIPAS forms ask about facts in words and stay as they are.
 */
export const pictureFirstFor = (setting: boolean, questionnaire: Pick<Questionnaire, 'kind'>): boolean =>
  setting && questionnaire.kind === 'quick';

/**
 * Around a survey: when `on`, marks <html> with data-picture-first (the CSS makes faces and pictures big,
 * the words smaller below them) and turns read-aloud on by itself for everything inside.
 */
export const PictureFirstScope = ({ on, children }: { on: boolean; children: ReactNode }) => {
  useEffect(() => {
    if (!on) return;
    const root = document.documentElement;
    root.dataset['pictureFirst'] = 'on';
    return () => {
      delete root.dataset['pictureFirst'];
    };
  }, [on]);
  return (
    <PictureFirstContext.Provider value={on}>
      <AutoReadAloudContext.Provider value={on}>{children}</AutoReadAloudContext.Provider>
    </PictureFirstContext.Provider>
  );
};

/** An answer option's picture in picture-first mode; nothing otherwise. */
export const PictureFirstOption = ({ value }: { value: string }) =>
  usePictureFirst() ? <OptionPicture value={value} /> : null;
